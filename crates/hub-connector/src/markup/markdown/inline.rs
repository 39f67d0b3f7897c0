//! Markdown inline content: a single left-to-right scan; every opener looks for its closer
//! once, and a failed search is remembered, so the time stays linear in practice.

use std::collections::HashMap;

use crate::markup::plain;
use crate::markup::tree::{Inline, Style};

/// Spans nested deeper than this are read as text.
const MAX_DEPTH: usize = 24;

/// Inline tags read as spans: tag name and style.
const TAGS: &[(&str, Style)] = &[
    ("strong", Style::Bold),
    ("b", Style::Bold),
    ("em", Style::Italic),
    ("i", Style::Italic),
    ("ins", Style::Underline),
    ("u", Style::Underline),
    ("del", Style::Strike),
    ("s", Style::Strike),
];

/// Reads inline Markdown.
pub(crate) fn read(text: &str) -> Vec<Inline> {
    let chars: Vec<char> = text.chars().collect();
    Scan { c: &chars }.run(0, chars.len(), 0)
}

struct Scan<'a> {
    c: &'a [char],
}

/// Searches that failed: (what was looked for, from where).
type Failed = HashMap<(char, usize), usize>;

impl Scan<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.c.get(i).copied()
    }

    fn run_len(&self, i: usize, end: usize) -> usize {
        let ch = self.c[i];
        self.c[i..end].iter().take_while(|c| **c == ch).count()
    }

    fn run(&self, start: usize, end: usize, depth: usize) -> Vec<Inline> {
        let mut out = Vec::new();
        let mut buf = String::new();
        let mut failed = Failed::new();
        let mut i = start;
        while i < end {
            let found = match self.c[i] {
                '`' => self.code(i, end, &mut failed),
                '*' | '_' | '~' if depth < MAX_DEPTH => self.emphasis(i, end, depth, &mut failed),
                '[' if depth < MAX_DEPTH => self.link(i, end, depth, &mut failed),
                '!' if depth < MAX_DEPTH && self.at(i + 1) == Some('[') => self
                    .link(i + 1, end, depth, &mut failed)
                    .map(|(inline, next)| (image(inline), next)),
                '<' if depth < MAX_DEPTH => self.angle(i, end, depth, &mut failed),
                '\\' if self.at(i + 1) == Some('\n') && i + 1 < end => Some((Inline::Break, i + 2)),
                '\n' if buf.ends_with("  ") => Some((Inline::Break, i + 1)),
                _ => None,
            };
            if let Some((inline, next)) = found {
                flush(&mut out, &mut buf);
                out.push(inline);
                i = next;
                continue;
            }
            i = self.literal(i, end, &mut buf);
        }
        flush(&mut out, &mut buf);
        out
    }

    /// Copies text at `i` that starts nothing; returns the next position.
    fn literal(&self, i: usize, end: usize, buf: &mut String) -> usize {
        let ch = self.c[i];
        match ch {
            '\\' if i + 1 < end && self.c[i + 1].is_ascii_punctuation() => {
                buf.push(self.c[i + 1]);
                i + 2
            }
            '`' | '*' | '_' | '~' => {
                let n = self.run_len(i, end);
                buf.extend(std::iter::repeat_n(ch, n));
                i + n
            }
            _ => {
                buf.push(ch);
                i + 1
            }
        }
    }

    /// Where the code span opened by the backtick run at `from - n` closes.
    fn code_close(&self, from: usize, end: usize, n: usize, failed: &mut Failed) -> Option<usize> {
        if failed.get(&('`', n)).is_some_and(|f| *f <= from) {
            return None;
        }
        let mut j = from;
        while j < end {
            if self.c[j] == '`' {
                let m = self.run_len(j, end);
                if m == n {
                    return Some(j);
                }
                j += m;
            } else {
                j += 1;
            }
        }
        failed.insert(('`', n), from);
        None
    }

    fn code(&self, i: usize, end: usize, failed: &mut Failed) -> Option<(Inline, usize)> {
        let n = self.run_len(i, end);
        let close = self.code_close(i + n, end, n, failed)?;
        let raw: String = self.c[i + n..close]
            .iter()
            .map(|c| if *c == '\n' { ' ' } else { *c })
            .collect();
        let strip = raw.len() >= 2
            && raw.starts_with(' ')
            && raw.ends_with(' ')
            && !raw.trim_matches(' ').is_empty();
        let content = if strip {
            raw[1..raw.len() - 1].to_string()
        } else {
            raw
        };
        Some((Inline::Code(content), close + n))
    }

    fn emphasis(
        &self,
        i: usize,
        end: usize,
        depth: usize,
        failed: &mut Failed,
    ) -> Option<(Inline, usize)> {
        let ch = self.c[i];
        let n = self.run_len(i, end);
        let fits = if ch == '~' { n == 2 } else { n <= 3 };
        let next = self.c[..end].get(i + n).copied();
        let prev = i.checked_sub(1).map(|p| self.c[p]);
        if !fits
            || next.is_none_or(char::is_whitespace)
            || (ch == '_' && prev.is_some_and(char::is_alphanumeric))
        {
            return None;
        }
        let close = self.closer(i + n, end, ch, n, failed)?;
        let inner = self.run(i + n, close, depth + 1);
        let inline = match (ch, n) {
            ('~', _) => Inline::Styled(Style::Strike, inner),
            (_, 1) => Inline::Styled(Style::Italic, inner),
            (_, 2) => Inline::Styled(Style::Bold, inner),
            _ => Inline::Styled(Style::Bold, vec![Inline::Styled(Style::Italic, inner)]),
        };
        Some((inline, close + n))
    }

    /// The closing run of exactly `n` × `ch`, skipping escapes and code spans.
    fn closer(
        &self,
        from: usize,
        end: usize,
        ch: char,
        n: usize,
        failed: &mut Failed,
    ) -> Option<usize> {
        if failed.get(&(ch, n)).is_some_and(|f| *f <= from) {
            return None;
        }
        let mut j = from;
        while j < end {
            match self.c[j] {
                '\\' => j += 2,
                '`' => {
                    let m = self.run_len(j, end);
                    j = self
                        .code_close(j + m, end, m, failed)
                        .map_or(j + m, |c| c + m);
                }
                c if c == ch => {
                    let m = self.run_len(j, end);
                    let after = self.c[..end].get(j + m).copied();
                    let closes = m == n
                        && !self.c[j - 1].is_whitespace()
                        && (ch != '_' || !after.is_some_and(char::is_alphanumeric));
                    if closes {
                        return Some(j);
                    }
                    j += m;
                }
                _ => j += 1,
            }
        }
        failed.insert((ch, n), from);
        None
    }

    /// `[label](destination "title")` at `i`: a link (an image when preceded by `!`).
    fn link(
        &self,
        i: usize,
        end: usize,
        depth: usize,
        failed: &mut Failed,
    ) -> Option<(Inline, usize)> {
        let close = self.bracket_close(i + 1, end, failed)?;
        if self.at(close + 1) != Some('(') || close + 1 >= end {
            return None;
        }
        let (href, after) = self.destination(close + 2, end)?;
        let label = self.run(i + 1, close, depth + 1);
        Some((Inline::Link(href, label), after))
    }

    fn bracket_close(&self, from: usize, end: usize, failed: &mut Failed) -> Option<usize> {
        if failed.get(&(']', 0)).is_some_and(|f| *f <= from) {
            return None;
        }
        let mut nesting = 0usize;
        let mut j = from;
        while j < end {
            match self.c[j] {
                '\\' => j += 1,
                '`' => {
                    let m = self.run_len(j, end);
                    j = self
                        .code_close(j + m, end, m, failed)
                        .map_or(j + m, |c| c + m)
                        - 1;
                }
                '[' => nesting += 1,
                ']' if nesting == 0 => return Some(j),
                ']' => nesting -= 1,
                _ => {}
            }
            j += 1;
        }
        failed.insert((']', 0), from);
        None
    }

    /// A link destination and optional title up to `)`; returns the address and the position
    /// after `)`.
    fn destination(&self, from: usize, end: usize) -> Option<(String, usize)> {
        let mut j = self.skip_space(from, end);
        let mut href = String::new();
        if self.at(j) == Some('<') {
            j += 1;
            loop {
                match self.c[..end].get(j).copied()? {
                    '>' => break,
                    '<' | '\n' => return None,
                    '\\' if self.c[..end]
                        .get(j + 1)
                        .is_some_and(char::is_ascii_punctuation) =>
                    {
                        href.push(self.c[j + 1]);
                        j += 1;
                    }
                    c => href.push(c),
                }
                j += 1;
            }
            j += 1;
        } else {
            let mut parens = 0usize;
            while let Some(c) = self.c[..end].get(j).copied() {
                match c {
                    c if c.is_whitespace() || c.is_control() => break,
                    '(' => parens += 1,
                    ')' if parens == 0 => break,
                    ')' => parens -= 1,
                    '\\' if self.c[..end]
                        .get(j + 1)
                        .is_some_and(char::is_ascii_punctuation) =>
                    {
                        j += 1;
                    }
                    _ => {}
                }
                href.push(self.c[j]);
                j += 1;
            }
        }
        j = self.title(self.skip_space(j, end), end)?;
        (self.c[..end].get(j) == Some(&')')).then_some((href, j + 1))
    }

    fn title(&self, j: usize, end: usize) -> Option<usize> {
        let close = match self.c[..end].get(j) {
            Some('"') => '"',
            Some('\'') => '\'',
            _ => return Some(j),
        };
        let len = self.c[j + 1..end].iter().position(|c| *c == close)?;
        Some(self.skip_space(j + len + 2, end))
    }

    fn skip_space(&self, mut j: usize, end: usize) -> usize {
        while j < end && (self.c[j] == ' ' || self.c[j] == '\n') {
            j += 1;
        }
        j
    }

    /// `<scheme:address>` autolinks and the inline tags in [`TAGS`].
    fn angle(
        &self,
        i: usize,
        end: usize,
        depth: usize,
        failed: &mut Failed,
    ) -> Option<(Inline, usize)> {
        let rest: String = self.c[i..end.min(i + 40)].iter().collect();
        for tag in ["<br>", "<br/>", "<br />"] {
            if rest.starts_with(tag) {
                return Some((Inline::Break, i + tag.len()));
            }
        }
        for (n, (name, style)) in TAGS.iter().enumerate() {
            let open = format!("<{name}>");
            if rest.starts_with(&open) {
                let from = i + open.len();
                let key = ('<', n);
                if failed.get(&key).is_some_and(|f| *f <= from) {
                    return None;
                }
                let Some(close) = self.find(&format!("</{name}>"), from, end) else {
                    failed.insert(key, from);
                    return None;
                };
                let inner = self.run(from, close, depth + 1);
                return Some((Inline::Styled(*style, inner), close + name.len() + 3));
            }
        }
        self.autolink(i, end)
    }

    fn autolink(&self, i: usize, end: usize) -> Option<(Inline, usize)> {
        let scheme = self.c[i + 1..end]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || "+.-".contains(**c))
            .count();
        if !(2..=32).contains(&scheme)
            || !self.c[i + 1].is_ascii_alphabetic()
            || self.at(i + 1 + scheme) != Some(':')
        {
            return None;
        }
        let len = self.c[i + 1..end]
            .iter()
            .position(|c| *c == '>' || *c == '<' || c.is_whitespace() || c.is_control())?;
        if self.c[i + 1 + len] != '>' {
            return None;
        }
        let url: String = self.c[i + 1..i + 1 + len].iter().collect();
        Some((
            Inline::Link(url.clone(), vec![Inline::Text(url)]),
            i + len + 2,
        ))
    }

    fn find(&self, needle: &str, from: usize, end: usize) -> Option<usize> {
        let needle: Vec<char> = needle.chars().collect();
        (from..end).find(|&j| self.c[j..end].starts_with(&needle))
    }
}

fn image(link: Inline) -> Inline {
    match link {
        Inline::Link(src, label) => Inline::Image(src, plain::inlines(&label)),
        other => other,
    }
}

fn flush(out: &mut Vec<Inline>, buf: &mut String) {
    if !buf.is_empty() {
        out.push(Inline::Text(std::mem::take(buf)));
    }
}
