//! Writing Textile for Redmine.

use super::inline::url_start_ok;
use crate::markup::Mode;
use crate::markup::tree::{Block, Inline, List, Style};

/// Writes one block as Textile.
pub(crate) fn write(block: &Block, mode: Mode) -> String {
    match block {
        Block::Paragraph(i) => paragraph(&inlines(i, mode)),
        Block::Heading(level, i) => format!("h{level}. {}", inlines(i, mode)),
        Block::List(list) => write_list(list, "", mode),
        Block::Code(code) => format!("<pre>\n{code}\n</pre>"),
        Block::Quote(inner) => {
            let body: Vec<String> = inner.iter().map(|b| write(b, mode)).collect();
            let lines: Vec<String> = body
                .join("\n\n")
                .split('\n')
                .map(|l| format!("> {l}").trim_end().to_string())
                .collect();
            lines.join("\n")
        }
        Block::Rule => "---".into(),
    }
}

/// Guards lines that would read as a block signature, list, quote or rule.
fn paragraph(text: &str) -> String {
    let lines: Vec<String> = text.split('\n').map(guard_line).collect();
    lines.join("\n")
}

fn guard_line(line: &str) -> String {
    if !super::needs_guard(line) {
        return line.to_string();
    }
    let cut = line.char_indices().nth(1).map_or(line.len(), |(i, _)| i);
    format!("<notextile>{}</notextile>{}", &line[..cut], &line[cut..])
}

fn write_list(list: &List, prefix: &str, mode: Mode) -> String {
    let marker = format!("{prefix}{}", if list.ordered { '#' } else { '*' });
    let mut lines = Vec::new();
    for item in &list.items {
        lines.push(format!("{marker} {}", inlines(&item.inlines, mode)));
        for nested in &item.lists {
            lines.push(write_list(nested, &marker, mode));
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

fn write_inline(out: &mut String, inline: &Inline, mode: Mode) {
    match inline {
        Inline::Text(t) => text(out, t, mode),
        Inline::Styled(style, children) => {
            let d = match style {
                Style::Bold => "*",
                Style::Italic => "_",
                Style::Underline => "+",
                Style::Strike => "-",
            };
            out.push_str(d);
            children.iter().for_each(|c| write_inline(out, c, mode));
            out.push_str(d);
        }
        Inline::Code(code)
            if !code.contains('@') && !code.starts_with(' ') && !code.ends_with(' ') =>
        {
            out.push_str(&format!("@{code}@"));
        }
        Inline::Code(code) => out.push_str(&format!("<code>{code}</code>")),
        Inline::Link(href, label) if url_start_ok(href) => {
            out.push('"');
            label.iter().for_each(|c| write_inline(out, c, mode));
            out.push_str(&format!("\":{href}"));
        }
        Inline::Link(href, label) => {
            label.iter().for_each(|c| write_inline(out, c, mode));
            text(out, &format!(" ({href})"), mode);
        }
        Inline::Image(src, alt) if alt.is_empty() => out.push_str(&format!("!{src}!")),
        Inline::Image(src, alt) => out.push_str(&format!("!{src}({alt})!")),
        Inline::Break => out.push('\n'),
    }
}

/// Appends text: references for `&` and `<` where needed; when escaping, every run of
/// punctuation goes into `<notextile>`.
fn text(out: &mut String, t: &str, mode: Mode) {
    let chars: Vec<char> = t.chars().collect();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        let next = chars.get(k + 1).copied();
        if c == '&' && (mode == Mode::Escaped || entity_like(&chars[k..])) {
            out.push_str("&amp;");
        } else if c == '<'
            && (mode == Mode::Escaped || next.is_some_and(|n| n.is_ascii_alphabetic() || n == '/'))
        {
            out.push_str("&lt;");
        } else if mode == Mode::Escaped && risky(c) {
            let run = chars[k..].iter().take_while(|c| risky(**c)).count();
            let body: String = chars[k..k + run].iter().collect();
            out.push_str(&format!("<notextile>{body}</notextile>"));
            k += run;
            continue;
        } else {
            out.push(c);
        }
        k += 1;
    }
}

fn risky(c: char) -> bool {
    c.is_ascii_punctuation() && !"&<',;".contains(c)
}

fn entity_like(chars: &[char]) -> bool {
    let body = chars[1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    body > 0 && chars.get(1 + body) == Some(&';')
}
