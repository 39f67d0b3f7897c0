//! A forgiving HTML parser: just enough of a DOM to read tracker HTML and the model form.
//!
//! Trackers store HTML written by editors and browsers, rarely well-formed. The parser never
//! fails: a stray `<` is text, an end tag without a start tag is ignored, open tags close when
//! an ancestor closes or the input ends, and nesting deeper than [`MAX_DEPTH`] is flattened so
//! that hostile input cannot exhaust the stack.

/// One node: an element (lower-case name, attributes, children) or decoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Element(String, Vec<(String, String)>, Vec<Node>),
    Text(String),
}

/// Deepest element nesting kept.
const MAX_DEPTH: usize = 48;

const VOID: &[&str] = &[
    "br", "hr", "img", "input", "meta", "link", "col", "area", "wbr", "source",
];

/// Elements whose content is raw text up to their end tag.
const RAW: &[&str] = &["script", "style", "textarea", "title"];

/// Parses HTML into a list of top-level nodes.
pub(crate) fn parse(html: &str) -> Vec<Node> {
    let mut stack: Stack = vec![(String::new(), Vec::new(), Vec::new())];
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            add_text(&mut stack, rest);
            break;
        };
        add_text(&mut stack, &rest[..lt]);
        rest = &rest[lt..];
        rest = match tag(rest) {
            Some((Tag::Start(name, attrs, self_closing), after)) => {
                open(&mut stack, name, attrs, self_closing, after)
            }
            Some((Tag::End(name), after)) => {
                close(&mut stack, &name);
                after
            }
            Some((Tag::Skip, after)) => after,
            None => {
                add_text(&mut stack, "<");
                &rest[1..]
            }
        };
    }
    while stack.len() > 1 {
        pop(&mut stack);
    }
    stack.pop().map(|(_, _, c)| c).unwrap_or_default()
}

/// Attributes of an element: name and decoded value.
type Attributes = Vec<(String, String)>;

/// Open elements, innermost last; the first entry holds the top-level nodes.
type Stack = Vec<(String, Attributes, Vec<Node>)>;

fn open<'a>(
    stack: &mut Stack,
    name: String,
    attrs: Vec<(String, String)>,
    self_closing: bool,
    after: &'a str,
) -> &'a str {
    if RAW.contains(&name.as_str()) {
        let end = format!("</{name}");
        let stop = find_ci(after, &end).unwrap_or(after.len());
        let text = decode(&after[..stop]);
        push_child(stack, Node::Element(name, attrs, vec![Node::Text(text)]));
        let rest = &after[stop..];
        return rest.find('>').map_or("", |gt| &rest[gt + 1..]);
    }
    if VOID.contains(&name.as_str()) || self_closing {
        push_child(stack, Node::Element(name, attrs, vec![]));
    } else if stack.len() > MAX_DEPTH {
        // Too deep: the element is dropped, its content stays.
    } else {
        if name == "p" || name == "li" {
            close_implied(stack, &name);
        }
        stack.push((name, attrs, Vec::new()));
    }
    after
}

/// A `<p>` closes an open `<p>`, an `<li>` an open `<li>` of the same list.
fn close_implied(stack: &mut Stack, name: &str) {
    let barrier = ["ul", "ol", "div", "blockquote", "td", "th", "li"];
    for i in (1..stack.len()).rev() {
        if stack[i].0 == name {
            close(stack, name);
            return;
        }
        if barrier.contains(&stack[i].0.as_str()) {
            return;
        }
    }
}

fn close(stack: &mut Stack, name: &str) {
    if let Some(pos) = stack.iter().skip(1).rposition(|(n, _, _)| n == name) {
        while stack.len() > pos + 1 {
            pop(stack);
        }
    }
}

fn pop(stack: &mut Stack) {
    if let Some((name, attrs, children)) = stack.pop() {
        push_child(stack, Node::Element(name, attrs, children));
    }
}

fn push_child(stack: &mut Stack, node: Node) {
    if let Some(top) = stack.last_mut() {
        top.2.push(node);
    }
}

fn add_text(stack: &mut Stack, raw: &str) {
    if raw.is_empty() {
        return;
    }
    let text = decode(raw);
    if let Some(top) = stack.last_mut() {
        if let Some(Node::Text(prev)) = top.2.last_mut() {
            prev.push_str(&text);
        } else {
            top.2.push(Node::Text(text));
        }
    }
}

enum Tag {
    Start(String, Vec<(String, String)>, bool),
    End(String),
    Skip,
}

/// Reads one tag at the start of `s` (which starts with `<`).
fn tag(s: &str) -> Option<(Tag, &str)> {
    let body = &s[1..];
    if let Some(comment) = body.strip_prefix("!--") {
        let end = comment.find("-->").map_or(comment.len(), |e| e + 3);
        return Some((Tag::Skip, &comment[end..]));
    }
    if body.starts_with('!') || body.starts_with('?') {
        let end = body.find('>')?;
        return Some((Tag::Skip, &body[end + 1..]));
    }
    let (closing, body) = match body.strip_prefix('/') {
        Some(b) => (true, b),
        None => (false, body),
    };
    let name_len = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    if name_len == 0 || !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name = body[..name_len].to_ascii_lowercase();
    let (attrs, self_closing, rest) = attributes(&body[name_len..])?;
    if closing {
        return Some((Tag::End(name), rest));
    }
    Some((Tag::Start(name, attrs, self_closing), rest))
}

/// Attributes up to the closing `>`; `None` when the tag never closes.
fn attributes(mut s: &str) -> Option<(Attributes, bool, &str)> {
    let mut attrs = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
        if let Some(rest) = s.strip_prefix("/>") {
            return Some((attrs, true, rest));
        }
        if let Some(rest) = s.strip_prefix('>') {
            return Some((attrs, false, rest));
        }
        if s.is_empty() || s.starts_with('<') {
            return None;
        }
        let key_len = s
            .find(|c: char| c.is_ascii_whitespace() || "=>/<".contains(c))
            .unwrap_or(s.len())
            .max(1);
        let key = s[..key_len].to_ascii_lowercase();
        s = s[key_len..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        let mut value = String::new();
        if let Some(rest) = s.strip_prefix('=') {
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
            let (raw, after) = attr_value(rest)?;
            value = decode(raw);
            s = after;
        }
        attrs.push((key, value));
    }
}

fn attr_value(s: &str) -> Option<(&str, &str)> {
    match s.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let end = s[1..].find(q)?;
            Some((&s[1..=end], &s[end + 2..]))
        }
        _ => {
            let end = s
                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                .unwrap_or(s.len());
            Some((&s[..end], &s[end..]))
        }
    }
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let lower = haystack.to_ascii_lowercase();
    lower.find(needle)
}

/// Decodes character references (named ones trackers use, decimal and hexadecimal).
pub(crate) fn decode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match entity(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character of the reference at the start of `s` and the reference's length.
pub(crate) fn entity(s: &str) -> Option<(char, usize)> {
    let semi = s.bytes().take(12).position(|b| b == b';')?;
    let name = &s[1..semi];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                name.strip_prefix('#')?.parse().ok()?
            };
            char::from_u32(code).filter(|c| *c != '\0')?
        }
    };
    Some((c, semi + 1))
}
