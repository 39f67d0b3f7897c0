//! Textile inline content, following the span rules of Redmine's Textile formatter.

use std::collections::HashMap;

use crate::markup::dom::entity;
use crate::markup::tree::{Inline, Style};

/// Spans nested deeper than this are read as text.
const MAX_DEPTH: usize = 24;

/// Span delimiters: the delimiter and its style (`None`: a span shown as plain text).
const SPANS: &[(&str, Style)] = &[
    ("**", Style::Bold),
    ("*", Style::Bold),
    ("??", Style::Italic),
    ("-", Style::Strike),
    ("__", Style::Italic),
    ("_", Style::Italic),
    ("+", Style::Underline),
];

/// Reads inline Textile.
pub(crate) fn read(text: &str) -> Vec<Inline> {
    let chars: Vec<char> = text.chars().collect();
    Scan { c: &chars }.run(0, chars.len(), 0)
}

struct Scan<'a> {
    c: &'a [char],
}

impl Scan<'_> {
    fn starts(&self, i: usize, end: usize, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(k, ch)| i + k < end && self.c[i + k] == ch)
    }

    fn find(&self, s: &str, from: usize, end: usize) -> Option<usize> {
        (from..end).find(|&j| self.starts(j, end, s))
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.c[from..to].iter().collect()
    }

    fn run(&self, start: usize, end: usize, depth: usize) -> Vec<Inline> {
        let mut out = Vec::new();
        let mut buf = String::new();
        let mut failed: HashMap<&'static str, usize> = HashMap::new();
        let mut i = start;
        while i < end {
            let found = match self.c[i] {
                '<' => self.tag(i, end, &mut failed),
                '&' => {
                    let s = self.text(i, end.min(i + 12));
                    if let Some((c, len)) = entity(&s) {
                        buf.push(c);
                        i += s[..len].chars().count();
                        continue;
                    }
                    None
                }
                '@' => self.code(i, end),
                '"' if depth < MAX_DEPTH => self.link(i, end, depth),
                '!' => self.image(i, end),
                _ if depth < MAX_DEPTH => self.span(i, end, depth, &mut failed),
                _ => None,
            };
            match found {
                Some((inline, next)) => {
                    if !buf.is_empty() {
                        out.push(Inline::Text(std::mem::take(&mut buf)));
                    }
                    out.push(inline);
                    i = next;
                }
                None => {
                    buf.push(self.c[i]);
                    i += 1;
                }
            }
        }
        if !buf.is_empty() {
            out.push(Inline::Text(buf));
        }
        out
    }

    fn prev(&self, i: usize) -> Option<char> {
        i.checked_sub(1).map(|p| self.c[p])
    }

    /// `<notextile>…</notextile>` (verbatim text) and `<code>…</code>`.
    fn tag(
        &self,
        i: usize,
        end: usize,
        failed: &mut HashMap<&'static str, usize>,
    ) -> Option<(Inline, usize)> {
        for (open, close) in [("<notextile>", "</notextile>"), ("<code>", "</code>")] {
            if self.starts(i, end, open) {
                let from = i + open.len();
                if failed.get(close).is_some_and(|f| *f <= from) {
                    return None;
                }
                let Some(to) = self.find(close, from, end) else {
                    failed.insert(close, from);
                    return None;
                };
                let body = self.text(from, to);
                let inline = if open == "<code>" {
                    Inline::Code(body)
                } else {
                    Inline::Text(body)
                };
                return Some((inline, to + close.len()));
            }
        }
        None
    }

    /// The position after a `<notextile>` or `<code>` element starting at `j`: spans never
    /// close inside one.
    fn skip_verbatim(&self, j: usize, end: usize) -> Option<usize> {
        for (open, close) in [("<notextile>", "</notextile>"), ("<code>", "</code>")] {
            if self.starts(j, end, open) {
                return self
                    .find(close, j + open.len(), end)
                    .map(|c| c + close.len());
            }
        }
        None
    }

    fn code(&self, i: usize, end: usize) -> Option<(Inline, usize)> {
        if self.prev(i).is_some_and(is_word) {
            return None;
        }
        let mut j = i + 1;
        while j < end && self.c[j] != '\n' {
            if self.c[j] == '@'
                && j > i + 1
                && self.c.get(j + 1).is_none_or(|c| !is_word(*c))
                && j < end
            {
                return Some((Inline::Code(self.text(i + 1, j)), j + 1));
            }
            j += 1;
        }
        None
    }

    /// `"label":url`, the URL ending before trailing punctuation.
    fn link(&self, i: usize, end: usize, depth: usize) -> Option<(Inline, usize)> {
        if self.prev(i).is_some_and(char::is_alphanumeric) {
            return None;
        }
        let close = (i + 1..end)
            .take_while(|&j| self.c[j] != '\n')
            .find(|&j| self.c[j] == '"')?;
        if close == i + 1 || self.c.get(close + 1) != Some(&':') {
            return None;
        }
        let url_start = close + 2;
        let head = self.text(url_start, end.min(url_start + 16));
        if !url_start_ok(head.split(char::is_whitespace).next().unwrap_or("")) {
            return None;
        }
        let raw = (url_start..end)
            .take_while(|&j| !self.c[j].is_whitespace() && self.c[j] != '<')
            .count();
        let url = self.text(url_start, url_start + raw);
        let kept = url.trim_end_matches(|c: char| !(c.is_alphanumeric() || "_=/;()-".contains(c)));
        if !url_start_ok(kept) {
            return None;
        }
        let label = self.run(i + 1, close, depth + 1);
        Some((
            Inline::Link(kept.to_string(), label),
            url_start + kept.chars().count(),
        ))
    }

    /// `!src!` or `!src(alt)!`.
    fn image(&self, i: usize, end: usize) -> Option<(Inline, usize)> {
        if self.prev(i).is_some_and(char::is_alphanumeric) {
            return None;
        }
        let len = (i + 1..end)
            .take_while(|&j| !self.c[j].is_whitespace())
            .position(|j| self.c[j] == '!')?;
        let body = self.text(i + 1, i + 1 + len);
        let (src, alt) = match body.strip_suffix(')').and_then(|b| b.split_once('(')) {
            Some((src, alt)) => (src.to_string(), alt.to_string()),
            None => (body.clone(), String::new()),
        };
        (!src.is_empty()).then_some((Inline::Image(src, alt), i + len + 2))
    }

    fn span(
        &self,
        i: usize,
        end: usize,
        depth: usize,
        failed: &mut HashMap<&'static str, usize>,
    ) -> Option<(Inline, usize)> {
        let (delim, style) = SPANS.iter().find(|(d, _)| self.starts(i, end, d))?;
        let n = delim.chars().count();
        let opens = self
            .prev(i)
            .is_none_or(|p| p.is_whitespace() || ">(".contains(p) || is_delim(p))
            && self.c[..end].get(i + n).is_some_and(|c| !c.is_whitespace())
            && !(*delim == "-" && self.c.get(i + 1) == Some(&'-'));
        // A failed search covers the rest of its line: spans never cross a line end.
        if !opens || failed.get(delim).is_some_and(|f| *f > i) {
            return None;
        }
        let Some(close) = self.span_close(i + n, end, delim) else {
            let line_end = (i..end).find(|&j| self.c[j] == '\n').unwrap_or(end);
            failed.insert(delim, line_end);
            return None;
        };
        let inner = self.run(i + n, close, depth + 1);
        Some((Inline::Styled(*style, inner), close + n))
    }

    /// The closing delimiter on the same line: after a non-space, before a space, punctuation
    /// or the end, and not part of a longer run.
    fn span_close(&self, from: usize, end: usize, delim: &str) -> Option<usize> {
        let n = delim.chars().count();
        let ch = self.c[from - 1];
        let mut j = from + 1;
        while j < end && self.c[j] != '\n' {
            if let Some(after) = self.skip_verbatim(j, end) {
                j = after;
                continue;
            }
            let whole =
                self.starts(j, end, delim) && self.c.get(j + n) != Some(&ch) && self.c[j - 1] != ch;
            let after = self.c[..end].get(j + n).copied();
            if whole
                && !self.c[j - 1].is_whitespace()
                && after.is_none_or(|a| a.is_whitespace() || a.is_ascii_punctuation())
            {
                return Some(j);
            }
            j += 1;
        }
        None
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_delim(c: char) -> bool {
    "*_+-?".contains(c)
}

/// Redmine links need a path, a scheme with `//`, `www.` or `mailto:`.
pub(crate) fn url_start_ok(url: &str) -> bool {
    let scheme = url.split("://").next().unwrap_or("");
    let with_scheme = url.contains("://")
        && !scheme.is_empty()
        && scheme.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok = |prefix_len: usize| {
        url[prefix_len..].starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '/')
    };
    (url.starts_with('/') && rest_ok(1))
        || (with_scheme && rest_ok(scheme.len() + 3))
        || (url.starts_with("www.") && url.len() > 4)
        || (url.starts_with("mailto:") && rest_ok(7))
}
