//! Writing Trac wiki text.

use super::inline::{linkable, token};
use crate::markup::Mode;
use crate::markup::plain;
use crate::markup::tree::{Block, Inline, List, Style};

/// An empty inline code span: invisible, but it keeps a line from starting a block and keeps
/// two style marks apart.
const SEPARATOR: &str = "{{{}}}";

/// Writes one block as Trac wiki text.
pub(crate) fn write(block: &Block, mode: Mode) -> String {
    match block {
        Block::Paragraph(i) => inlines(i, mode),
        Block::Heading(level, i) => {
            let marks = "=".repeat(*level as usize);
            format!("{marks} {} {marks}", inlines(i, mode))
        }
        Block::List(list) => write_list(list, 1, mode),
        Block::Code(code) if code.starts_with("#!") => format!("{{{{{{\n#!default\n{code}\n}}}}}}"),
        Block::Code(code) => format!("{{{{{{\n{code}\n}}}}}}"),
        Block::Quote(inner) => {
            let body: Vec<String> = inner.iter().map(|b| write(b, mode)).collect();
            let lines: Vec<String> = body
                .join("\n\n")
                .split('\n')
                .map(|l| format!("> {l}").trim_end().to_string())
                .collect();
            lines.join("\n")
        }
        Block::Rule => "----".into(),
    }
}

fn write_list(list: &List, indent: usize, mode: Mode) -> String {
    let mut lines = Vec::new();
    let pad = " ".repeat(indent);
    for item in &list.items {
        let marker = if list.ordered { "1." } else { "*" };
        lines.push(format!("{pad}{marker} {}", inlines(&item.inlines, mode)));
        for nested in &item.lists {
            lines.push(write_list(nested, indent + 2, mode));
        }
    }
    lines.join("\n")
}

fn inlines(content: &[Inline], mode: Mode) -> String {
    let mut out = String::new();
    for inline in content {
        write_inline(&mut out, inline, mode);
    }
    out
}

fn mark(style: Style) -> &'static str {
    match style {
        Style::Bold => "'''",
        Style::Italic => "''",
        Style::Underline => "__",
        Style::Strike => "~~",
    }
}

/// Appends a style mark, kept apart from a mark character just before it.
fn push_mark(out: &mut String, mark: &str) {
    separate(out, mark.chars().next());
    out.push_str(mark);
}

/// Inserts [`SEPARATOR`] where the next character would join a mark character before it.
fn separate(out: &mut String, next: Option<char>) {
    let last = out.chars().last();
    if last.is_some_and(|l| "'~_,[".contains(l) && Some(l) == next) {
        out.push_str(SEPARATOR);
    }
}

fn write_inline(out: &mut String, inline: &Inline, mode: Mode) {
    match inline {
        Inline::Text(t) => text(out, t, mode),
        Inline::Styled(style, children) => {
            push_mark(out, mark(*style));
            children.iter().for_each(|c| write_inline(out, c, mode));
            // A mark after `!` would read as escaped: leave the span open, the end of the
            // paragraph or of the enclosing span closes it (the only place Trac puts it).
            if !out.ends_with('!') {
                push_mark(out, mark(*style));
            }
        }
        Inline::Code(code)
            if !code.contains("}}}") && !code.ends_with('}') && !out.ends_with('{') =>
        {
            out.push_str(&format!("{{{{{{{code}}}}}}}"));
        }
        Inline::Code(code) if !code.contains('`') => out.push_str(&format!("`{code}`")),
        Inline::Code(code) => text(out, code, mode),
        Inline::Link(href, label) => link(out, href, &plain::inlines(label), mode),
        Inline::Image(src, _) => {
            separate(out, Some('['));
            out.push_str(&format!("[[Image({src})]]"));
        }
        Inline::Break => {
            separate(out, Some('['));
            out.push_str("[[BR]]");
        }
    }
}

fn link(out: &mut String, href: &str, label: &str, mode: Mode) {
    let fits = linkable(href) && !href.contains([' ', ']']) && !label.contains(']');
    if !fits {
        text(out, label, mode);
        if label != href {
            text(out, &format!(" ({href})"), mode);
        }
        return;
    }
    separate(out, Some('['));
    if label == href {
        out.push_str(&format!("[{href}]"));
    } else {
        out.push_str(&format!("[{href} {label}]"));
    }
}

/// Appends text, escaping every Trac token with `!` and keeping lines from starting blocks.
fn text(out: &mut String, t: &str, mode: Mode) {
    let c: Vec<char> = t.chars().collect();
    separate(out, c.first().copied());
    let mut k = 0;
    while k < c.len() {
        if (out.is_empty() || out.ends_with('\n')) && starts_block(&c[k..]) {
            out.push_str(SEPARATOR);
        }
        if let Some(len) = token(&c, k) {
            out.push('!');
            out.extend(&c[k..k + len]);
            k += len;
            continue;
        }
        if mode == Mode::Escaped && c[k] == '!' && k + 1 == c.len() {
            out.push('!');
            out.push_str(SEPARATOR);
            k += 1;
            continue;
        }
        out.push(c[k]);
        k += 1;
    }
}

/// Whether a line starting with these characters would start a block.
fn starts_block(c: &[char]) -> bool {
    let line: String = c.iter().take_while(|x| **x != '\n').collect();
    let t = line.trim_matches(' ');
    line.starts_with(['=', '>', ' ', '|'])
        || t == "{{{"
        || (t.len() >= 4 && t.chars().all(|x| x == '-'))
}
