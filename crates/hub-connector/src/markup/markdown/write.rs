//! Writing Markdown: the notation a person would type, escaping only what would misread.

use crate::markup::Mode;
use crate::markup::tree::{Block, Inline, List, Style};

/// Writes one block as Markdown.
pub(crate) fn write(block: &Block, mode: Mode) -> String {
    match block {
        Block::Paragraph(i) => inlines(i, mode),
        Block::Heading(level, i) => heading(*level, i, mode),
        Block::List(list) => write_list(list, mode),
        Block::Code(code) => {
            let fence = "`".repeat(longest_run(code, '`').max(2) + 1);
            format!("{fence}\n{code}\n{fence}")
        }
        Block::Quote(inner) => {
            let body: Vec<String> = inner.iter().map(|b| write(b, mode)).collect();
            prefix_lines(&body.join("\n\n"), "> ", ">")
        }
        Block::Rule => "---".into(),
    }
}

fn heading(level: u8, content: &[Inline], mode: Mode) -> String {
    let mut text = inlines(content, mode);
    if text.ends_with('#') {
        text.insert(text.len() - 1, '\\');
    }
    format!("{} {text}", "#".repeat(level as usize))
}

fn write_list(list: &List, mode: Mode) -> String {
    let mut lines = Vec::new();
    for (n, item) in list.items.iter().enumerate() {
        let marker = if list.ordered {
            format!("{}.", n + 1)
        } else {
            "-".into()
        };
        let pad = " ".repeat(marker.len() + 1);
        let text = inlines(&item.inlines, mode);
        lines.push(format!("{marker} {}", indent_rest(&text, &pad)));
        for nested in &item.lists {
            lines.push(prefix_lines(&write_list(nested, mode), &pad, ""));
        }
    }
    lines.join("\n")
}

/// Indents every line but the first.
fn indent_rest(text: &str, pad: &str) -> String {
    text.replace('\n', &format!("\n{pad}"))
}

fn prefix_lines(text: &str, prefix: &str, empty: &str) -> String {
    let lines: Vec<String> = text
        .split('\n')
        .map(|l| {
            if l.is_empty() {
                empty.to_string()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect();
    lines.join("\n")
}

fn longest_run(text: &str, ch: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == ch { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

fn inlines(content: &[Inline], mode: Mode) -> String {
    let mut out = String::new();
    for inline in content {
        write_inline(&mut out, inline, mode);
    }
    out
}

fn write_inline(out: &mut String, inline: &Inline, mode: Mode) {
    match inline {
        Inline::Text(t) => text(out, t, mode),
        Inline::Styled(style, children) => styled(out, *style, children, mode),
        Inline::Code(code) => {
            let fence = "`".repeat(longest_run(code, '`') + 1);
            let pad = code.starts_with('`')
                || code.ends_with('`')
                || (code.starts_with(' ')
                    && code.ends_with(' ')
                    && !code.trim_matches(' ').is_empty());
            let pad = if pad { " " } else { "" };
            out.push_str(&format!("{fence}{pad}{code}{pad}{fence}"));
        }
        Inline::Link(href, label) => link(out, href, label, mode),
        Inline::Image(src, alt) => {
            out.push_str("![");
            text(out, alt, mode);
            out.push_str(&format!("]({})", destination(src, mode)));
        }
        Inline::Break => out.push_str("\\\n"),
    }
}

fn styled(out: &mut String, style: Style, children: &[Inline], mode: Mode) {
    let delimiter = match style {
        Style::Bold => "**",
        Style::Italic => "*",
        Style::Strike => "~~",
        Style::Underline => "",
    };
    let starred = |i: &Inline| matches!(i, Inline::Styled(Style::Bold | Style::Italic, _));
    let awkward = children.len() > 1
        && (children.first().is_some_and(starred) || children.last().is_some_and(starred));
    if mode == Mode::Escaped || delimiter.is_empty() || awkward || out.ends_with(['*', '~', '_']) {
        let tag = match style {
            Style::Bold => "strong",
            Style::Italic => "em",
            Style::Underline => "ins",
            Style::Strike => "del",
        };
        out.push_str(&format!("<{tag}>"));
        children.iter().for_each(|c| write_inline(out, c, mode));
        out.push_str(&format!("</{tag}>"));
        return;
    }
    out.push_str(delimiter);
    children.iter().for_each(|c| write_inline(out, c, mode));
    out.push_str(delimiter);
}

fn link(out: &mut String, href: &str, label: &[Inline], mode: Mode) {
    let bare = matches!(label, [Inline::Text(t)] if t == href);
    if bare && mode == Mode::Natural && autolinkable(href) {
        out.push_str(&format!("<{href}>"));
        return;
    }
    out.push('[');
    label.iter().for_each(|c| write_inline(out, c, mode));
    out.push_str(&format!("]({})", destination(href, mode)));
}

fn autolinkable(href: &str) -> bool {
    let scheme = href.split(':').next().unwrap_or("");
    href.contains(':')
        && (2..=32).contains(&scheme.len())
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        && !href
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

fn destination(href: &str, mode: Mode) -> String {
    let plain = !href
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>()\\".contains(c));
    if plain && mode == Mode::Natural {
        return href.to_string();
    }
    let mut out = String::from("<");
    for c in href.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('>');
    out
}

/// Appends text, escaping what Markdown would read as markup.
fn text(out: &mut String, t: &str, mode: Mode) {
    let chars: Vec<char> = t.chars().collect();
    let mut k = 0;
    while k < chars.len() {
        if (out.is_empty() || out.ends_with('\n')) && chars[k] != '\n' {
            let next = line_start(out, &chars, k);
            if next != k {
                k = next;
                continue;
            }
        }
        if needs_escape(&chars, k, mode) {
            out.push('\\');
        }
        out.push(chars[k]);
        k += 1;
    }
}

/// Escapes what would start a block at the beginning of a line; returns where to go on.
fn line_start(out: &mut String, chars: &[char], k: usize) -> usize {
    let digits = chars[k..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && matches!(chars.get(k + digits), Some('.' | ')')) {
        out.extend(&chars[k..k + digits]);
        out.push('\\');
        out.push(chars[k + digits]);
        return k + digits + 1;
    }
    if "#>-+=|".contains(chars[k]) {
        out.push('\\');
        out.push(chars[k]);
        return k + 1;
    }
    k
}

fn needs_escape(chars: &[char], k: usize, mode: Mode) -> bool {
    let c = chars[k];
    if mode == Mode::Escaped {
        return c.is_ascii_punctuation();
    }
    let prev = k.checked_sub(1).map(|p| chars[p]);
    let next = chars.get(k + 1).copied();
    match c {
        '\\' | '`' | '*' | '[' | ']' | '~' => true,
        '_' => {
            !(prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric))
        }
        '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || "/!?".contains(n)),
        '!' => next.is_none(),
        '&' => entity_like(&chars[k..]),
        _ => false,
    }
}

fn entity_like(chars: &[char]) -> bool {
    let body = chars[1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    body > 0 && chars.get(1 + body) == Some(&';')
}
