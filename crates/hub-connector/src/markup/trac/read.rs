//! Trac blocks, read line by line.

use super::inline;
use crate::markup::tree::{Block, Inline, Item, List};

/// Quotes nested deeper than this are read as text.
const MAX_DEPTH: usize = 16;

/// Reads a Trac wiki text.
pub(crate) fn read(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.split('\n').collect();
    blocks(&lines, 0)
}

fn blank(line: &str) -> bool {
    line.trim_matches([' ', '\t']).is_empty()
}

fn indent(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ').count()
}

fn blocks(lines: &[&str], depth: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if blank(lines[i]) {
            i += 1;
            continue;
        }
        let (block, used) = block(&lines[i..], depth);
        out.push(block);
        i += used.max(1);
    }
    out
}

fn block(lines: &[&str], depth: usize) -> (Block, usize) {
    let t = lines[0].trim_matches([' ', '\t']);
    if t == "{{{" {
        return code(lines);
    }
    if let Some((level, text)) = heading(t) {
        return (Block::Heading(level, inline::read(text)), 1);
    }
    if t.len() >= 4 && t.chars().all(|c| c == '-') {
        return (Block::Rule, 1);
    }
    if t.starts_with('>') && depth < MAX_DEPTH {
        let used = lines
            .iter()
            .take_while(|l| l.trim_start_matches(' ').starts_with('>'))
            .count();
        let inner: Vec<&str> = lines[..used].iter().map(|l| unquote(l)).collect();
        return (Block::Quote(blocks(&inner, depth + 1)), used);
    }
    if item(lines[0]).is_some() {
        return list(lines);
    }
    if indent(lines[0]) >= 2 {
        let used = lines
            .iter()
            .take_while(|l| !blank(l) && indent(l) >= 2 && item(l).is_none())
            .count();
        let text = lines[..used].join("\n");
        return (
            Block::Quote(vec![Block::Paragraph(inline::read(&text))]),
            used,
        );
    }
    let used = 1 + lines[1..]
        .iter()
        .take_while(|l| !blank(l) && !starts_block(l))
        .count();
    (
        Block::Paragraph(inline::read(&lines[..used].join("\n"))),
        used,
    )
}

fn starts_block(line: &str) -> bool {
    let t = line.trim_matches([' ', '\t']);
    t == "{{{"
        || heading(t).is_some()
        || (t.len() >= 4 && t.chars().all(|c| c == '-'))
        || t.starts_with('>')
        || indent(line) >= 1
}

fn unquote(line: &str) -> &str {
    let t = line.trim_start_matches(' ');
    let t = t.strip_prefix('>').unwrap_or(t);
    t.strip_prefix(' ').unwrap_or(t)
}

/// `= Heading =` with an optional `#anchor` after the closing marks.
fn heading(t: &str) -> Option<(u8, &str)> {
    let level = t.chars().take_while(|c| *c == '=').count();
    let rest = t[level..].strip_prefix(' ')?;
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = match rest.rfind(" #").or_else(|| rest.rfind("=#")) {
        Some(p) if !rest[p + 2..].contains(' ') && rest[..p + 1].trim_end().ends_with('=') => {
            &rest[..p + 1]
        }
        _ => rest,
    };
    let text = rest
        .trim_end_matches(' ')
        .trim_end_matches('=')
        .trim_end_matches(' ');
    Some((level as u8, text))
}

fn code(lines: &[&str]) -> (Block, usize) {
    let mut body = Vec::new();
    let mut nesting = 0usize;
    let mut used = 1;
    while used < lines.len() {
        let t = lines[used].trim_matches([' ', '\t']);
        used += 1;
        if t == "}}}" && nesting == 0 {
            break;
        }
        nesting = match t {
            "{{{" => nesting + 1,
            "}}}" => nesting - 1,
            _ => nesting,
        };
        body.push(lines[used - 1]);
    }
    if body.first().is_some_and(|l| l.starts_with("#!")) {
        body.remove(0);
    }
    (Block::Code(body.join("\n")), used)
}

/// A list item line: indentation, numbered or not, and its text.
fn item(line: &str) -> Option<(usize, bool, &str)> {
    let lead = indent(line);
    let t = &line[lead..];
    if lead == 0 {
        return None;
    }
    if let Some(rest) = t.strip_prefix("* ").or_else(|| t.strip_prefix("- ")) {
        return Some((lead, false, rest));
    }
    let (marker, rest) = t.split_once(". ")?;
    let numbered = !marker.is_empty()
        && (marker.chars().all(|c| c.is_ascii_digit())
            || (marker.len() == 1 && marker.chars().all(|c| c.is_ascii_alphabetic()))
            || marker.chars().all(|c| "ivx".contains(c)));
    numbered.then_some((lead, true, rest))
}

fn list(lines: &[&str]) -> (Block, usize) {
    let mut entries: Vec<(usize, bool, String)> = Vec::new();
    let mut used = 0;
    for line in lines {
        if blank(line) || starts_block(line) && item(line).is_none() && indent(line) == 0 {
            break;
        }
        let first = entries.first().map(|(l, o, _)| (*l, *o));
        match (item(line), entries.last_mut()) {
            (Some((lead, ordered, _)), _)
                if first.is_some_and(|(l, o)| lead <= l && ordered != o) =>
            {
                break;
            }
            (Some((lead, ordered, text)), _) => entries.push((lead, ordered, text.to_string())),
            (None, Some(last)) if indent(line) > 0 => {
                last.2.push(' ');
                last.2.push_str(line.trim_matches(' '));
            }
            _ => break,
        }
        used += 1;
    }
    let (list, _) = build(&entries, 0);
    (Block::List(list), used)
}

fn build(entries: &[(usize, bool, String)], start: usize) -> (List, usize) {
    let (lead, ordered, _) = entries[start];
    let mut items: Vec<Item> = Vec::new();
    let mut i = start;
    while i < entries.len() {
        let (l, o, text) = &entries[i];
        if *l < lead || (*l == lead && *o != ordered) {
            break;
        }
        if *l > lead && !items.is_empty() {
            let (nested, next) = build(entries, i);
            if let Some(last) = items.last_mut() {
                last.lists.push(nested);
            }
            i = next;
            continue;
        }
        let inlines: Vec<Inline> = inline::read(text);
        items.push(Item {
            inlines,
            lists: vec![],
        });
        i += 1;
    }
    (List { ordered, items }, i.max(start + 1))
}
