//! Textile blocks: blank lines separate them, `<pre>` may span blank lines.

use super::inline;
use crate::markup::tree::{Block, Item, List};

/// Quotes nested deeper than this are read as text.
const MAX_DEPTH: usize = 16;

/// Reads a Textile document.
pub(crate) fn read(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.split('\n').collect();
    blocks(&lines, 0)
}

fn blocks(lines: &[&str], depth: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start_matches(' ');
        if line.trim_end_matches([' ', '\t']).is_empty() {
            i += 1;
        } else if line.starts_with("<pre") {
            let (code, used) = pre(&lines[i..]);
            out.push(Block::Code(code));
            i += used;
        } else {
            let end = lines[i..]
                .iter()
                .position(|l| l.trim_matches([' ', '\t']).is_empty())
                .map_or(lines.len(), |p| i + p);
            group(&lines[i..end], depth, &mut out);
            i = end;
        }
    }
    out
}

/// A `<pre>` block (optionally with `<code>` inside) and the lines it used.
fn pre(lines: &[&str]) -> (String, usize) {
    let text = lines.join("\n");
    let open_end = text.find('>').map_or(text.len(), |p| p + 1);
    let close = text[open_end..]
        .find("</pre>")
        .map_or(text.len(), |p| open_end + p);
    let mut body = &text[open_end..close];
    if body.starts_with("<code") {
        body = body.find('>').map_or(body, |p| &body[p + 1..]);
        body = body.strip_suffix("</code>").unwrap_or(body);
    }
    let used = text[..close].matches('\n').count() + 1;
    (body.to_string(), used)
}

/// One blank-line separated group: a signature block, or runs of quotes, lists and text.
fn group(lines: &[&str], depth: usize, out: &mut Vec<Block>) {
    if let Some(block) = signature(lines) {
        out.push(block);
        return;
    }
    let mut i = 0;
    while i < lines.len() {
        let kind = kind(lines[i], depth);
        let run = lines[i..]
            .iter()
            .position(|l| self::kind(l, depth) != kind)
            .map_or(lines.len(), |p| i + p);
        let run_lines = &lines[i..run];
        match kind {
            Kind::Quote => {
                let inner: Vec<&str> = run_lines.iter().map(|l| unquote(l)).collect();
                out.push(Block::Quote(blocks(&inner, depth + 1)));
            }
            Kind::List => out.extend(lists(run_lines).into_iter().map(Block::List)),
            Kind::Rule => out.extend(run_lines.iter().map(|_| Block::Rule)),
            Kind::Text => out.push(Block::Paragraph(inline::read(&run_lines.join("\n")))),
        }
        i = run;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Quote,
    List,
    Rule,
    Text,
}

fn kind(line: &str, depth: usize) -> Kind {
    let t = line.trim_matches([' ', '\t']);
    if t.starts_with('>') && depth < MAX_DEPTH {
        Kind::Quote
    } else if list_marker(line).is_some() {
        Kind::List
    } else if t.len() >= 3 && t.chars().all(|c| c == '-') {
        Kind::Rule
    } else {
        Kind::Text
    }
}

fn unquote(line: &str) -> &str {
    let t = line.trim_start_matches(' ');
    let t = t.strip_prefix('>').unwrap_or(t);
    t.strip_prefix(' ').unwrap_or(t)
}

/// Whether a line of text would read as something other than paragraph text.
pub(crate) fn needs_guard(line: &str) -> bool {
    kind(line, 0) != Kind::Text
        || signature(&[line]).is_some()
        || line.trim_start_matches(' ').starts_with("<pre")
}

/// `h2. …`, `p. …`, `bq. …`, `bc. …`, `pre. …` (with optional attributes before the dot).
fn signature(lines: &[&str]) -> Option<Block> {
    let first = lines[0];
    let name_len = first
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    let name = &first[..name_len];
    let after = skip_attributes(&first[name_len..]);
    let rest = after
        .strip_prefix(". ")
        .or_else(|| (after == ".").then_some(""))?;
    let body = std::iter::once(rest)
        .chain(lines[1..].iter().copied())
        .collect::<Vec<_>>()
        .join("\n");
    Some(match name {
        "p" => Block::Paragraph(inline::read(&body)),
        "bq" => Block::Quote(vec![Block::Paragraph(inline::read(&body))]),
        "bc" | "pre" => Block::Code(body),
        h if h.len() == 2 && h.starts_with('h') && (b'1'..=b'6').contains(&h.as_bytes()[1]) => {
            Block::Heading(h.as_bytes()[1] - b'0', inline::read(&body))
        }
        _ => return None,
    })
}

/// Skips block attributes: `(class#id)`, `{style}`, `[lang]` and alignment marks.
fn skip_attributes(mut s: &str) -> &str {
    loop {
        let before = s.len();
        for (open, close) in [('(', ')'), ('{', '}'), ('[', ']')] {
            if s.starts_with(open)
                && let Some(end) = s.find(close)
            {
                s = &s[end + 1..];
            }
        }
        s = s.trim_start_matches(['<', '>', '=']);
        if s.len() == before {
            return s;
        }
    }
}

/// `*`/`#` markers: depth and whether the list is numbered.
fn list_marker(line: &str) -> Option<(usize, bool, &str)> {
    let depth = line.chars().take_while(|c| *c == '*' || *c == '#').count();
    let rest = line[depth..].strip_prefix(' ')?;
    let ordered = line[..depth].ends_with('#');
    (depth > 0 && !rest.trim_matches(' ').is_empty()).then_some((depth, ordered, rest))
}

fn lists(lines: &[&str]) -> Vec<List> {
    let entries: Vec<(usize, bool, &str)> = lines.iter().filter_map(|l| list_marker(l)).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let (list, next) = build(&entries, i, 1);
        out.push(list);
        i = next;
    }
    out
}

/// Builds the list at `depth` from `entries[start..]`; returns it and the next entry index.
fn build(entries: &[(usize, bool, &str)], start: usize, depth: usize) -> (List, usize) {
    let ordered = entries[start].1;
    let mut items: Vec<Item> = Vec::new();
    let mut i = start;
    while i < entries.len() {
        let (d, o, text) = entries[i];
        if d < depth || (d == depth && o != ordered && !items.is_empty()) {
            break;
        }
        if d > depth && !items.is_empty() {
            let (nested, next) = build(entries, i, depth + 1);
            if let Some(last) = items.last_mut() {
                last.lists.push(nested);
            }
            i = next;
            continue;
        }
        items.push(Item {
            inlines: inline::read(text),
            lists: vec![],
        });
        i += 1;
    }
    (List { ordered, items }, i.max(start + 1))
}
