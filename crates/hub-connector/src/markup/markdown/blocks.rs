//! Markdown blocks, read line by line.

use super::inline;
use crate::markup::plain::block_inlines;
use crate::markup::tree::{Block, Inline, Item, List};

/// Quotes and lists nested deeper than this are read as text.
const MAX_DEPTH: usize = 32;

/// Reads a Markdown document.
pub(crate) fn read(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.split('\n').collect();
    blocks(&lines, 0)
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

/// One block starting at `lines[0]` (not blank) and the number of lines it used.
fn block(lines: &[&str], depth: usize) -> (Block, usize) {
    let line = lines[0];
    if indent(line) >= 4 {
        return indented_code(lines);
    }
    let t = line.trim_start_matches(' ');
    if let Some(fence) = fence(t) {
        return fenced_code(lines, fence, indent(line));
    }
    if let Some((level, content)) = atx(t) {
        return (Block::Heading(level, inline::read(content)), 1);
    }
    if rule(t) {
        return (Block::Rule, 1);
    }
    if depth < MAX_DEPTH && t.starts_with('>') {
        return quote(lines, depth);
    }
    if depth < MAX_DEPTH
        && let Some(marker) = marker(line)
    {
        return list(lines, marker, depth);
    }
    paragraph(lines)
}

fn blank(line: &str) -> bool {
    line.chars().all(|c| c == ' ' || c == '\t')
}

/// Columns of leading white space (a tab reaches the next multiple of four).
fn indent(line: &str) -> usize {
    let mut col = 0;
    for c in line.chars() {
        match c {
            ' ' => col += 1,
            '\t' => col += 4 - col % 4,
            _ => break,
        }
    }
    col
}

/// The line without its first `cols` columns of indentation.
fn dedent(line: &str, cols: usize) -> String {
    let mut col = 0;
    for (i, c) in line.char_indices() {
        if col >= cols {
            return format!("{}{}", " ".repeat(col - cols), &line[i..]);
        }
        match c {
            ' ' => col += 1,
            '\t' => col += 4 - col % 4,
            _ => return line[i..].to_string(),
        }
    }
    String::new()
}

fn paragraph(lines: &[&str]) -> (Block, usize) {
    let mut used = 1;
    while used < lines.len() && !blank(lines[used]) && !interrupts(lines[used]) {
        used += 1;
    }
    let text = lines[..used].join("\n");
    (Block::Paragraph(inline::read(&text)), used)
}

/// Whether a line ends the paragraph above it.
fn interrupts(line: &str) -> bool {
    if indent(line) >= 4 {
        return false;
    }
    let t = line.trim_start_matches(' ');
    fence(t).is_some()
        || atx(t).is_some()
        || rule(t)
        || t.starts_with('>')
        || marker(line).is_some_and(|m| !m.empty && (!m.ordered || m.number == 1))
}

fn atx(t: &str) -> Option<(u8, &str)> {
    let level = t.chars().take_while(|c| *c == '#').count();
    let rest = &t[level..];
    if !(1..=6).contains(&level) || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let content = rest.trim_matches([' ', '\t']);
    let without = content.trim_end_matches('#');
    let content = if without.is_empty() || without.ends_with([' ', '\t']) {
        without.trim_end_matches([' ', '\t'])
    } else {
        content
    };
    Some((level as u8, content))
}

fn rule(t: &str) -> bool {
    let t = t.trim_end_matches([' ', '\t']);
    let Some(c) = t.chars().next().filter(|c| matches!(c, '-' | '*' | '_')) else {
        return false;
    };
    t.chars().all(|x| x == c || x == ' ' || x == '\t') && t.chars().filter(|x| *x == c).count() >= 3
}

/// An opening code fence: its character and length.
fn fence(t: &str) -> Option<(char, usize)> {
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = t.chars().take_while(|x| *x == c).count();
    let info = &t[len..];
    (len >= 3 && !(c == '`' && info.contains('`'))).then_some((c, len))
}

fn fenced_code(lines: &[&str], (c, len): (char, usize), cols: usize) -> (Block, usize) {
    let mut body = Vec::new();
    let mut used = 1;
    while used < lines.len() {
        let line = lines[used];
        used += 1;
        let t = line.trim_start_matches(' ');
        let run = t.chars().take_while(|x| *x == c).count();
        if indent(line) < 4 && run >= len && blank(&t[run..]) {
            break;
        }
        body.push(dedent(line, cols));
    }
    (Block::Code(body.join("\n")), used)
}

fn indented_code(lines: &[&str]) -> (Block, usize) {
    let mut used = 0;
    let mut body = Vec::new();
    while used < lines.len() && (blank(lines[used]) || indent(lines[used]) >= 4) {
        body.push(dedent(lines[used], 4));
        used += 1;
    }
    (Block::Code(body.join("\n")), used)
}

fn quote(lines: &[&str], depth: usize) -> (Block, usize) {
    let mut inner = Vec::new();
    let mut used = 0;
    while used < lines.len() {
        let t = lines[used].trim_start_matches(' ');
        let Some(rest) = t.strip_prefix('>').filter(|_| indent(lines[used]) < 4) else {
            break;
        };
        inner.push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
        used += 1;
    }
    let refs: Vec<&str> = inner.iter().map(String::as_str).collect();
    (Block::Quote(blocks(&refs, depth + 1)), used)
}

/// A list marker at the start of a line.
#[derive(Debug, Clone, Copy)]
struct Marker {
    ordered: bool,
    /// The bullet character or the delimiter after the number.
    kind: char,
    number: u64,
    /// Column where the item's content starts.
    content: usize,
    /// Nothing follows the marker.
    empty: bool,
}

fn marker(line: &str) -> Option<Marker> {
    let lead = indent(line);
    if lead >= 4 {
        return None;
    }
    let t = line.trim_start_matches(' ');
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let (ordered, kind, number, width) = match t.chars().next()? {
        c @ ('-' | '+' | '*') => (false, c, 0, 1),
        _ if (1..=9).contains(&digits) => {
            let kind = t[digits..]
                .chars()
                .next()
                .filter(|c| *c == '.' || *c == ')')?;
            (true, kind, t[..digits].parse().ok()?, digits + 1)
        }
        _ => return None,
    };
    let rest = &t[width..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let empty = blank(rest);
    let spaces = indent(rest);
    let gap = if empty || spaces > 4 { 1 } else { spaces };
    Some(Marker {
        ordered,
        kind,
        number,
        content: lead + width + gap,
        empty,
    })
}

fn same_list(a: Marker, b: Marker) -> bool {
    a.ordered == b.ordered && a.kind == b.kind
}

fn list(lines: &[&str], first: Marker, depth: usize) -> (Block, usize) {
    let mut items = Vec::new();
    let mut used = 0;
    let mut marker = first;
    loop {
        let (item, n) = item(&lines[used..], marker, depth);
        items.push(item);
        used += n;
        let next = lines[used..]
            .iter()
            .position(|l| !blank(l))
            .map(|p| used + p);
        match next.and_then(|n| marker_of(lines[n], first).map(|m| (n, m))) {
            Some((n, m)) if !rule(lines[n].trim_start_matches(' ')) => {
                used = n;
                marker = m;
            }
            _ => break,
        }
    }
    (
        Block::List(List {
            ordered: first.ordered,
            items,
        }),
        used,
    )
}

fn marker_of(line: &str, first: Marker) -> Option<Marker> {
    marker(line).filter(|m| same_list(*m, first))
}

/// One item: its lines (dedented to the content column) read as blocks.
fn item(lines: &[&str], m: Marker, depth: usize) -> (Item, usize) {
    let mut body = vec![first_line(lines[0], m)];
    let mut used = 1;
    let mut after_blank = false;
    while used < lines.len() {
        let line = lines[used];
        if blank(line) {
            let next = lines[used..].iter().find(|l| !blank(l));
            if next.is_none_or(|l| indent(l) < m.content) {
                break;
            }
            after_blank = true;
            body.push(String::new());
        } else if indent(line) >= m.content {
            body.push(dedent(line, m.content));
        } else if !after_blank && !interrupts(line) && marker(line).is_none() {
            body.push(line.trim_start_matches(' ').to_string());
        } else {
            break;
        }
        used += 1;
    }
    let refs: Vec<&str> = body.iter().map(String::as_str).collect();
    (item_of(blocks(&refs, depth + 1)), used)
}

/// An item from blocks: the first paragraph is its text, lists nest, anything else is joined
/// to the text with line breaks.
fn item_of(blocks: Vec<Block>) -> Item {
    let mut inlines: Vec<Inline> = Vec::new();
    let mut lists = Vec::new();
    for block in blocks {
        match block {
            Block::List(list) => lists.push(list),
            other => {
                if !inlines.is_empty() {
                    inlines.push(Inline::Break);
                }
                inlines.extend(block_inlines(other));
            }
        }
    }
    Item { inlines, lists }
}

/// The first line of an item without its marker.
fn first_line(line: &str, m: Marker) -> String {
    let t = line.trim_start_matches(' ');
    let lead = line.len() - t.len();
    let width = m.content - lead;
    let marker_len = t.find([' ', '\t']).unwrap_or(t.len());
    let rest = &t[marker_len..];
    let gap = width.saturating_sub(marker_len);
    dedent(rest, gap)
}
