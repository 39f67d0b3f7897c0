//! Trac inline content. Styles toggle: a mark opens its style or closes it (and everything
//! opened inside it), and the end of the text closes whatever is open.

use crate::markup::tree::{Inline, Style};

/// Prefixes of TracLinks written without brackets (`ticket:1`, `wiki:Page`, …).
const LINK_PREFIXES: &[&str] = &[
    "wiki:",
    "ticket:",
    "milestone:",
    "report:",
    "changeset:",
    "source:",
    "browser:",
    "log:",
    "attachment:",
    "query:",
    "search:",
    "timeline:",
    "comment:",
    "export:",
    "diff:",
    "htdocs:",
];

/// The length of a Trac token at `i` that a `!` escapes, if one starts there.
pub(crate) fn token(c: &[char], i: usize) -> Option<usize> {
    if i >= c.len() {
        return None;
    }
    let starts = |s: &str| {
        s.chars()
            .enumerate()
            .all(|(k, ch)| c.get(i + k) == Some(&ch))
    };
    for mark in [
        "'''''", "'''", "''", "__", "~~", ",,", "{{{", "}}}", "^", "`",
    ] {
        if starts(mark) {
            return Some(mark.chars().count());
        }
    }
    if c[i] == '[' {
        return bracket_token(c, i);
    }
    let prev_word = i > 0 && c[i - 1].is_alphanumeric();
    if prev_word {
        return None;
    }
    if c[i] == '#' && c.get(i + 1).is_some_and(char::is_ascii_digit) {
        return Some(1 + c[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count());
    }
    if let Some(prefix) = LINK_PREFIXES.iter().find(|p| starts(p)) {
        return Some(prefix.len());
    }
    camel_case(c, i)
}

/// Longest `[…]` or `[[…]]` read as a link or macro; longer ones are text. The bound keeps
/// reading and escaping linear on text full of brackets.
const MAX_BRACKET: usize = 512;

/// `[[` before a `]]`, or `[` before a link target and `]`: Trac shows a `!` before
/// anything else.
fn bracket_token(c: &[char], i: usize) -> Option<usize> {
    let c = &c[..c.len().min(i + MAX_BRACKET)];
    if c.get(i + 1) == Some(&'[') {
        return closed(c, i + 2, "]]").map(|_| 2);
    }
    let (body, _) = closed(c, i + 1, "]")?;
    let target = body.split(' ').next().unwrap_or("");
    linkable(target).then_some(1)
}

/// A WikiPageName (`WikiStart`, `TracGuide`): two or more capitalised humps.
fn camel_case(c: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    let mut humps = 0;
    while c.get(j).is_some_and(char::is_ascii_uppercase) {
        let lower = c[j + 1..]
            .iter()
            .take_while(|x| x.is_ascii_lowercase())
            .count();
        if lower == 0 {
            break;
        }
        j += 1 + lower;
        humps += 1;
    }
    let ends = c.get(j).is_none_or(|x| !x.is_alphanumeric());
    (humps >= 2 && ends).then_some(j - i)
}

/// Reads inline Trac wiki text.
pub(crate) fn read(text: &str) -> Vec<Inline> {
    let c: Vec<char> = text.chars().collect();
    let mut state = State {
        base: Vec::new(),
        open: Vec::new(),
        buf: String::new(),
        failed: Default::default(),
    };
    let mut i = 0;
    while i < c.len() {
        i = state.step(&c, i);
    }
    state.finish()
}

struct State {
    base: Vec<Inline>,
    open: Vec<(Style, Vec<Inline>)>,
    buf: String,
    /// Closing marks not found from a position to its line's end: searches in between fail too.
    failed: std::collections::HashMap<&'static str, (usize, usize)>,
}

impl State {
    fn current(&mut self) -> &mut Vec<Inline> {
        match self.open.last_mut() {
            Some((_, content)) => content,
            None => &mut self.base,
        }
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            let text = std::mem::take(&mut self.buf);
            self.current().push(Inline::Text(text));
        }
    }

    fn push(&mut self, inline: Inline) {
        self.flush();
        self.current().push(inline);
    }

    fn close_top(&mut self) {
        if let Some((style, content)) = self.open.pop() {
            self.current().push(Inline::Styled(style, content));
        }
    }

    fn toggle(&mut self, style: Style) {
        self.flush();
        match self.open.iter().rposition(|(s, _)| *s == style) {
            Some(pos) => {
                while self.open.len() > pos {
                    self.close_top();
                }
            }
            None => self.open.push((style, Vec::new())),
        }
    }

    fn both(&mut self) {
        self.flush();
        let top: Vec<Style> = self.open.iter().rev().take(2).map(|(s, _)| *s).collect();
        if top.contains(&Style::Bold) && top.contains(&Style::Italic) {
            self.close_top();
            self.close_top();
        } else {
            self.toggle(Style::Bold);
            self.toggle(Style::Italic);
        }
    }

    fn step(&mut self, c: &[char], i: usize) -> usize {
        let starts = |s: &str| {
            s.chars()
                .enumerate()
                .all(|(k, ch)| c.get(i + k) == Some(&ch))
        };
        if c[i] == '!'
            && let Some(len) = token(c, i + 1)
        {
            self.buf.extend(&c[i + 1..i + 1 + len]);
            return i + 1 + len;
        }
        for (mark, style) in [
            ("'''''", None),
            ("'''", Some(Style::Bold)),
            ("''", Some(Style::Italic)),
            ("__", Some(Style::Underline)),
            ("~~", Some(Style::Strike)),
        ] {
            if starts(mark) {
                match style {
                    Some(s) => self.toggle(s),
                    None => self.both(),
                }
                return i + mark.len();
            }
        }
        let (from, end) = match c[i] {
            '{' if starts("{{{") => (i + 3, "}}}"),
            '`' => (i + 1, "`"),
            '[' if starts("[[") => (i + 2, "]]"),
            '[' => (i + 1, "]"),
            _ => (i, ""),
        };
        let found = match self.failed.get(end) {
            _ if end.is_empty() => None,
            Some((f, line_end)) if *f <= from && from < *line_end => None,
            _ => match closed(window(c, i, end), from, end) {
                None if end.starts_with(']') => None,
                None => {
                    let line_end = c[from..]
                        .iter()
                        .position(|x| *x == '\n')
                        .map_or(c.len(), |p| from + p);
                    self.failed.insert(end, (from, line_end));
                    None
                }
                Some((body, next)) => match end {
                    "}}}" | "`" => Some((Inline::Code(body), next)),
                    "]]" => macro_call(body, next),
                    _ => bracket_link(body, next),
                },
            },
        };
        match found {
            Some((inline, next)) => {
                self.push(inline);
                next
            }
            None => {
                self.buf.push(c[i]);
                i + 1
            }
        }
    }

    fn finish(mut self) -> Vec<Inline> {
        self.flush();
        while !self.open.is_empty() {
            self.close_top();
        }
        self.base
    }
}

/// The characters a closing `end` is searched in: brackets are bounded by [`MAX_BRACKET`].
fn window<'c>(c: &'c [char], i: usize, end: &str) -> &'c [char] {
    if end.starts_with(']') {
        &c[..c.len().min(i + MAX_BRACKET)]
    } else {
        c
    }
}

/// The text from `from` up to `end` (on the same line) and the position after `end`.
fn closed(c: &[char], from: usize, end: &str) -> Option<(String, usize)> {
    let end: Vec<char> = end.chars().collect();
    let mut j = from;
    while j < c.len() && c[j] != '\n' {
        if c[j..].starts_with(&end) {
            return Some((c[from..j].iter().collect(), j + end.len()));
        }
        j += 1;
    }
    None
}

/// `[[BR]]`, `[[Image(src)]]` and `[[url|label]]`; other macros stay text.
fn macro_call(body: String, next: usize) -> Option<(Inline, usize)> {
    if body.eq_ignore_ascii_case("br") {
        return Some((Inline::Break, next));
    }
    if let Some(args) = body
        .strip_prefix("Image(")
        .and_then(|b| b.strip_suffix(')'))
    {
        let src = args.split(',').next().unwrap_or("").trim_matches(' ');
        return Some((Inline::Image(src.to_string(), String::new()), next));
    }
    let (target, label) = body.split_once('|').unwrap_or((&body, &body));
    if !linkable(target) || target.contains(' ') {
        return None;
    }
    Some((
        Inline::Link(target.to_string(), vec![Inline::Text(label.to_string())]),
        next,
    ))
}

/// `[target label]` or `[target]`.
fn bracket_link(body: String, next: usize) -> Option<(Inline, usize)> {
    let (target, label) = match body.split_once(' ') {
        Some((t, l)) => (t, l.trim_matches(' ')),
        None => (body.as_str(), body.as_str()),
    };
    let label = if label.is_empty() { target } else { label };
    linkable(target).then(|| {
        (
            Inline::Link(target.to_string(), vec![Inline::Text(label.to_string())]),
            next,
        )
    })
}

/// Targets read as links: URLs, TracLinks (`prefix:…`), paths and `#123`.
pub(crate) fn linkable(target: &str) -> bool {
    let scheme = target.split(':').next().unwrap_or("");
    let has_scheme = target.len() > scheme.len() + 1
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.');
    has_scheme
        || (target.starts_with('/') && target.len() > 1)
        || (target.starts_with('#') && target.len() > 1)
}
