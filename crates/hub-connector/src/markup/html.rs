//! The model form: a small, canonical HTML subset, and a forgiving reader of any HTML.
//!
//! Written tags: `p`, `h1`–`h6`, `ul`, `ol`, `li`, `pre`, `blockquote`, `hr`, `strong`, `em`,
//! `u`, `del`, `code`, `a href`, `img src alt`, `br`. Blocks are separated by one `\n`; a `\n`
//! inside a paragraph is a soft line break. Text escapes `&`, `<`, `>` and `"` and nothing
//! else. The writer is deterministic, so equal trees give byte-equal model strings, which is
//! what the engine compares. The reader accepts real-world HTML from trackers: unknown tags
//! keep their content, unclosed tags close at their parent's end, entities are decoded.

use super::dom::{Node, parse};
use super::tree::{Block, Inline, Item, List, Style};

/// Escapes text for the model.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders blocks as model HTML.
pub(crate) fn write(blocks: &[Block]) -> String {
    let parts: Vec<String> = blocks.iter().map(block).collect();
    parts.join("\n")
}

fn block(b: &Block) -> String {
    match b {
        Block::Paragraph(i) => format!("<p>{}</p>", inlines(i)),
        Block::Heading(level, i) => format!("<h{level}>{}</h{level}>", inlines(i)),
        Block::List(list) => write_list(list),
        Block::Code(code) => format!("<pre>{}</pre>", escape(code)),
        Block::Quote(inner) => format!("<blockquote>\n{}\n</blockquote>", write(inner)),
        Block::Rule => "<hr>".into(),
    }
}

fn write_list(list: &List) -> String {
    let tag = if list.ordered { "ol" } else { "ul" };
    let mut out = format!("<{tag}>\n");
    for item in &list.items {
        out.push_str("<li>");
        out.push_str(&inlines(&item.inlines));
        for nested in &item.lists {
            out.push('\n');
            out.push_str(&write_list(nested));
        }
        out.push_str("</li>\n");
    }
    out.push_str(&format!("</{tag}>"));
    out
}

fn style_tag(style: Style) -> &'static str {
    match style {
        Style::Bold => "strong",
        Style::Italic => "em",
        Style::Underline => "u",
        Style::Strike => "del",
    }
}

fn inlines(content: &[Inline]) -> String {
    let mut out = String::new();
    for inline in content {
        match inline {
            Inline::Text(t) => out.push_str(&escape(t)),
            Inline::Styled(s, c) => {
                let tag = style_tag(*s);
                out.push_str(&format!("<{tag}>{}</{tag}>", inlines(c)));
            }
            Inline::Code(c) => out.push_str(&format!("<code>{}</code>", escape(c))),
            Inline::Link(href, c) => {
                out.push_str(&format!("<a href=\"{}\">{}</a>", escape(href), inlines(c)));
            }
            Inline::Image(src, alt) => {
                out.push_str(&format!(
                    "<img src=\"{}\" alt=\"{}\">",
                    escape(src),
                    escape(alt)
                ));
            }
            Inline::Break => out.push_str("<br>"),
        }
    }
    out
}

/// Reads any HTML into blocks.
pub(crate) fn read(html: &str) -> Vec<Block> {
    blocks(&parse(html))
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "pre",
    "blockquote",
    "hr",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "header",
    "footer",
    "dl",
    "dt",
    "dd",
    "figure",
    "main",
    "nav",
    "aside",
    "address",
    "details",
    "summary",
    "body",
    "html",
];

fn is_block(node: &Node) -> bool {
    match node {
        Node::Element(name, _, children) => {
            BLOCK_TAGS.contains(&name.as_str()) || children.iter().any(is_block)
        }
        Node::Text(_) => false,
    }
}

/// Blocks of a container: runs of inline content become paragraphs.
fn blocks(nodes: &[Node]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut run: Vec<Inline> = Vec::new();
    for node in nodes {
        if !is_block(node) {
            run.extend(inline(node));
            continue;
        }
        if !run.is_empty() {
            out.push(Block::Paragraph(std::mem::take(&mut run)));
        }
        let Node::Element(name, _, children) = node else {
            continue;
        };
        match name.as_str() {
            "p" if !children.iter().any(is_block) => {
                out.push(Block::Paragraph(children.iter().flat_map(inline).collect()));
            }
            "ul" | "ol" => out.push(Block::List(list(name == "ol", children))),
            "pre" => out.push(Block::Code(text_of(children))),
            "blockquote" => out.push(Block::Quote(blocks(children))),
            "hr" => out.push(Block::Rule),
            h if h.len() == 2 && h.starts_with('h') && h.as_bytes()[1].is_ascii_digit() => {
                let level = h.as_bytes()[1] - b'0';
                out.push(Block::Heading(
                    level,
                    children.iter().flat_map(inline).collect(),
                ));
            }
            _ => out.extend(blocks(children)),
        }
    }
    if !run.is_empty() {
        out.push(Block::Paragraph(run));
    }
    out
}

fn list(ordered: bool, children: &[Node]) -> List {
    let mut items = Vec::new();
    for child in children {
        match child {
            Node::Element(name, _, c) if name == "li" => items.push(item(c)),
            Node::Element(name, _, c) if name == "ul" || name == "ol" => {
                let nested = list(name == "ol", c);
                items.push(Item {
                    inlines: vec![],
                    lists: vec![nested],
                });
            }
            other => items.push(Item {
                inlines: inline(other),
                lists: vec![],
            }),
        }
    }
    List { ordered, items }
}

fn item(children: &[Node]) -> Item {
    let mut inlines = Vec::new();
    let mut lists = Vec::new();
    for child in children {
        match child {
            Node::Element(name, _, c) if name == "ul" || name == "ol" => {
                lists.push(list(name == "ol", c));
            }
            other if is_block(other) => {
                if !inlines.is_empty() {
                    inlines.push(Inline::Break);
                }
                inlines.extend(block_text(other));
            }
            other => inlines.extend(inline(other)),
        }
    }
    Item { inlines, lists }
}

/// Inline content of a block met where only inline content fits (a paragraph in an item).
fn block_text(node: &Node) -> Vec<Inline> {
    let mut out = Vec::new();
    for b in blocks(std::slice::from_ref(node)) {
        if !out.is_empty() {
            out.push(Inline::Break);
        }
        out.extend(super::plain::block_inlines(b));
    }
    out
}

fn inline(node: &Node) -> Vec<Inline> {
    let (name, attrs, children) = match node {
        Node::Text(t) => return vec![Inline::Text(t.clone())],
        Node::Element(name, attrs, children) => (name.as_str(), attrs, children),
    };
    let inner = || children.iter().flat_map(inline).collect::<Vec<_>>();
    let attr = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    match name {
        "strong" | "b" => vec![Inline::Styled(Style::Bold, inner())],
        "em" | "i" | "cite" => vec![Inline::Styled(Style::Italic, inner())],
        "u" | "ins" => vec![Inline::Styled(Style::Underline, inner())],
        "del" | "s" | "strike" => vec![Inline::Styled(Style::Strike, inner())],
        "code" | "tt" | "kbd" | "samp" => vec![Inline::Code(text_of(children))],
        "br" => vec![Inline::Break],
        "a" => vec![Inline::Link(attr("href").unwrap_or_default(), inner())],
        "img" => vec![Inline::Image(
            attr("src").unwrap_or_default(),
            attr("alt").unwrap_or_default(),
        )],
        "script" | "style" | "head" | "title" => vec![],
        _ => inner(),
    }
}

/// All text below some nodes, verbatim.
fn text_of(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Element(name, _, _) if name == "br" => out.push('\n'),
            Node::Element(_, _, c) => out.push_str(&text_of(c)),
        }
    }
    out
}
