//! Rhino-era syntax the commercial hub's scripts use, rewritten into standard JavaScript before
//! evaluation.
//!
//! The one construct in use is `for each (var x in y)`, which iterates over the *values* of `y`
//! (array elements or object property values). Only the loop head is rewritten, on the same
//! line, into a counting loop over `__sxEach(y)` that assigns `x` in its test:
//! `for (var x, __sxA1 = __sxEach(y), __sxI1 = 0; __sxI1 < __sxA1.length ? (x = __sxA1[__sxI1++], true) : false; )`.
//! Lines never move, so errors name the administrator's lines, and no iterator is involved, so a
//! `throw` inside the loop keeps its own position. Strings, template literals and comments are
//! skipped so their text is never rewritten.

/// Name of the global helper that yields the values iterated by a `for each` loop.
pub(crate) const EACH_HELPER: &str = "__sxEach";

/// JavaScript defining [`EACH_HELPER`].
pub(crate) const EACH_PRELUDE: &str = "function __sxEach(v) {\
  if (v === null || v === undefined) return [];\
  if (Array.isArray(v) || typeof v === 'string') return v;\
  return Object.keys(v).map(function (k) { return v[k]; });\
}";

/// Rewrites every `for each (HEAD in EXPR)` into `for (HEAD of __sxEach(EXPR))`.
pub fn translate(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len() + 32);
    let mut i = 0;
    let mut loops = 0;
    while i < chars.len() {
        if let Some(end) = skip_literal(&chars, i) {
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        if let Some((rewritten, end)) = for_each_at(&chars, i, loops + 1) {
            loops += 1;
            out.push_str(&rewritten);
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The end of a string, template literal or comment starting at `i`, if one starts there.
fn skip_literal(chars: &[char], i: usize) -> Option<usize> {
    let c = chars[i];
    let next = chars.get(i + 1).copied();
    match (c, next) {
        ('/', Some('/')) => Some(find_from(chars, i + 2, |c| c == '\n').unwrap_or(chars.len())),
        ('/', Some('*')) => {
            let mut j = i + 2;
            while j + 1 < chars.len() && !(chars[j] == '*' && chars[j + 1] == '/') {
                j += 1;
            }
            Some((j + 2).min(chars.len()))
        }
        ('\'' | '"' | '`', _) => {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != c {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            Some((j + 1).min(chars.len()))
        }
        _ => None,
    }
}

fn find_from(chars: &[char], from: usize, pred: impl Fn(char) -> bool) -> Option<usize> {
    (from..chars.len()).find(|&j| pred(chars[j]))
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

fn word_at(chars: &[char], i: usize, word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    chars.len() >= i + w.len()
        && chars[i..i + w.len()] == w[..]
        && (i == 0 || !is_ident(chars[i - 1]))
        && chars.get(i + w.len()).is_none_or(|c| !is_ident(*c))
}

fn skip_space(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    i
}

/// A `for each (…)` head starting at `i`: the rewritten head and where the original ends.
fn for_each_at(chars: &[char], i: usize, n: usize) -> Option<(String, usize)> {
    if !word_at(chars, i, "for") {
        return None;
    }
    let each = skip_space(chars, i + 3);
    if !word_at(chars, each, "each") {
        return None;
    }
    let open = skip_space(chars, each + 4);
    if chars.get(open) != Some(&'(') {
        return None;
    }
    let (in_at, close) = head_parts(chars, open + 1)?;
    let head: String = chars[open + 1..in_at].iter().collect();
    let expr: String = chars[in_at + 2..close].iter().collect();
    let (declare, name) = match head.split_whitespace().collect::<Vec<_>>()[..] {
        [keyword @ ("var" | "let"), name] => (format!("{keyword} {name}, "), name.to_owned()),
        ["const", name] => (format!("let {name}, "), name.to_owned()),
        [name] => ("var ".to_owned(), name.to_owned()),
        _ => return None,
    };
    if !name.chars().all(is_ident) {
        return None;
    }
    let (a, k) = (format!("__sxA{n}"), format!("__sxI{n}"));
    Some((
        format!(
            "for ({declare}{a} = {EACH_HELPER}({expr}), {k} = 0; \
             {k} < {a}.length ? ({name} = {a}[{k}++], true) : false; )"
        ),
        close + 1,
    ))
}

/// Positions of the top-level `in` and of the closing parenthesis of a loop head.
fn head_parts(chars: &[char], start: usize) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut in_at = None;
    let mut j = start;
    while j < chars.len() {
        if let Some(end) = skip_literal(chars, j) {
            j = end;
            continue;
        }
        match chars[j] {
            '(' | '[' | '{' => depth += 1,
            ')' if depth == 0 => return in_at.map(|at| (at, j)),
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 && in_at.is_none() && word_at(chars, j, "in") => in_at = Some(j),
            _ => {}
        }
        j += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_each_becomes_a_counting_loop_on_the_same_line() {
        let src = "function f(ts) {\n  for each(var t in ts) {\n    g(t);\n  }\n}";
        let out = translate(src);
        assert_eq!(out.lines().count(), src.lines().count());
        assert!(
            out.contains("for (var t, __sxA1 = __sxEach( ts), __sxI1 = 0; __sxI1 < __sxA1.length ? (t = __sxA1[__sxI1++], true) : false; )"),
            "{out}"
        );
    }

    #[test]
    fn nested_parentheses_and_plain_names_are_handled() {
        let out = translate("for each (c in f(a, (b))) for each (const d in c) x(d);");
        assert!(
            out.starts_with("for (var __sxA1 = __sxEach( f(a, (b))), __sxI1 = 0;"),
            "{out}"
        );
        assert!(out.contains("(c = __sxA1[__sxI1++], true)"), "{out}");
        assert!(
            out.contains("for (let d, __sxA2 = __sxEach( c), __sxI2 = 0;"),
            "{out}"
        );
    }

    #[test]
    fn strings_and_comments_are_left_alone() {
        let src = "var s = 'for each (x in y)'; // for each (a in b)\n/* for each (c in d) */";
        assert_eq!(translate(src), src);
    }

    #[test]
    fn identifiers_containing_the_words_are_left_alone() {
        let src = "var foreach = 1; for (var each in o) {} platform each(x in y)";
        assert_eq!(translate(src), src);
    }
}
