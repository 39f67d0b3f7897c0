//! Plain text: paragraphs separated by blank lines, nothing else.
//!
//! Writing plain text keeps every word of a rich document: spans lose their style, links keep
//! their address in parentheses, lists and quotes keep a textual marker.

use super::tree::{Block, Inline, List};

/// Reads plain text: blank lines separate paragraphs, other line ends are soft breaks.
pub(crate) fn read(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    for line in text.split('\n').chain(std::iter::once("")) {
        if line.trim_matches([' ', '\t', '\r']).is_empty() {
            if !lines.is_empty() {
                out.push(Block::Paragraph(vec![Inline::Text(lines.join("\n"))]));
                lines.clear();
            }
        } else {
            lines.push(line);
        }
    }
    out
}

/// Writes blocks as plain text.
pub(crate) fn write(blocks: &[Block]) -> String {
    let parts: Vec<String> = blocks.iter().map(block).collect();
    parts.join("\n\n")
}

fn block(b: &Block) -> String {
    match b {
        Block::Paragraph(i) | Block::Heading(_, i) => inlines(i),
        Block::List(list) => write_list(list, 0),
        Block::Code(code) => code.clone(),
        Block::Quote(inner) => write(inner)
            .split('\n')
            .map(|l| format!("> {l}").trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Rule => "---".into(),
    }
}

fn write_list(list: &List, depth: usize) -> String {
    let mut lines = Vec::new();
    for (n, item) in list.items.iter().enumerate() {
        let marker = if list.ordered {
            format!("{}.", n + 1)
        } else {
            "-".into()
        };
        lines.push(format!(
            "{}{marker} {}",
            "  ".repeat(depth),
            inlines(&item.inlines)
        ));
        for nested in &item.lists {
            lines.push(write_list(nested, depth + 1));
        }
    }
    lines.join("\n")
}

/// The text of inline content.
pub(crate) fn inlines(content: &[Inline]) -> String {
    let mut out = String::new();
    for inline in content {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Styled(_, c) => out.push_str(&inlines(c)),
            Inline::Link(href, c) => {
                let label = inlines(c);
                if &label == href {
                    out.push_str(href);
                } else {
                    out.push_str(&format!("{label} ({href})"));
                }
            }
            Inline::Image(src, alt) if alt.is_empty() => out.push_str(src),
            Inline::Image(_, alt) => out.push_str(alt),
            Inline::Break => out.push('\n'),
        }
    }
    out
}

/// A block as inline content, for places that hold only inline content (a list item).
pub(crate) fn block_inlines(b: Block) -> Vec<Inline> {
    match b {
        Block::Paragraph(i) | Block::Heading(_, i) => i,
        Block::Code(code) => lines_of(&code, |l| Inline::Code(l.to_string())),
        Block::Rule => vec![Inline::Text("---".into())],
        Block::List(_) | Block::Quote(_) => {
            let text = block(&b);
            lines_of(&text, |l| Inline::Text(l.to_string()))
        }
    }
}

fn lines_of(text: &str, make: impl Fn(&str) -> Inline) -> Vec<Inline> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        if !out.is_empty() {
            out.push(Inline::Break);
        }
        out.push(make(line));
    }
    out
}
