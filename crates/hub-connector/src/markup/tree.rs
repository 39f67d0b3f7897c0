//! The document tree every markup is read into and written from, and its normal form.
//!
//! Readers may produce untidy trees (empty spans, whitespace at span edges, a bold inside a
//! bold); [`normalize`] folds every tree that renders the same way into one form, so that the
//! model HTML of a text does not depend on which reader produced it or on incidental spacing.

/// A block of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A heading of level 1–6, always one line.
    Heading(u8, Vec<Inline>),
    /// A bullet or numbered list.
    List(List),
    /// Preformatted code, kept verbatim.
    Code(String),
    /// A quotation of further blocks.
    Quote(Vec<Block>),
    /// A horizontal rule.
    Rule,
}

/// A list and its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct List {
    /// Numbered (`true`) or bullet list.
    pub ordered: bool,
    /// The items in order.
    pub items: Vec<Item>,
}

/// One list item: one line of text and the lists nested under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    /// The item's text (never a soft line break).
    pub inlines: Vec<Inline>,
    /// Lists nested in the item.
    pub lists: Vec<List>,
}

/// A style that wraps inline content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Style {
    /// Strong emphasis.
    Bold,
    /// Emphasis.
    Italic,
    /// Underlined (inserted) text.
    Underline,
    /// Struck-through (deleted) text.
    Strike,
}

/// Inline content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Inline {
    /// Text; a `\n` inside is a soft line break (the source's line ended there).
    Text(String),
    /// Styled content.
    Styled(Style, Vec<Inline>),
    /// Inline code, verbatim.
    Code(String),
    /// A hyperlink and its label.
    Link(String, Vec<Inline>),
    /// An image: source and alternative text.
    Image(String, String),
    /// A hard line break.
    Break,
}

/// Where inlines live: a paragraph keeps soft breaks, an item or heading is one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    Many,
    One,
}

/// Brings blocks into normal form (see the module documentation).
pub(crate) fn normalize(blocks: Vec<Block>) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for block in blocks {
        let block = match block {
            Block::Paragraph(i) => Block::Paragraph(inlines(i, Line::Many)),
            Block::Heading(level, i) => Block::Heading(level.clamp(1, 6), heading(i)),
            Block::List(list) => Block::List(normalize_list(list)),
            Block::Code(code) => Block::Code(code_block(&code)),
            Block::Quote(inner) => Block::Quote(normalize(inner)),
            Block::Rule => Block::Rule,
        };
        if is_empty(&block) {
            continue;
        }
        match (out.last_mut(), block) {
            (Some(Block::List(prev)), Block::List(next)) if prev.ordered == next.ordered => {
                prev.items.extend(next.items);
            }
            (Some(Block::Quote(prev)), Block::Quote(next)) => {
                let merged = std::mem::take(prev).into_iter().chain(next).collect();
                *prev = normalize(merged);
            }
            (_, block) => out.push(block),
        }
    }
    out
}

fn is_empty(block: &Block) -> bool {
    match block {
        Block::Paragraph(i) | Block::Heading(_, i) => i.is_empty(),
        Block::List(list) => list.items.is_empty(),
        Block::Code(code) => code.is_empty(),
        Block::Quote(inner) => inner.is_empty(),
        Block::Rule => false,
    }
}

fn heading(content: Vec<Inline>) -> Vec<Inline> {
    inlines(unbreak(content), Line::One)
}

/// Hard breaks become spaces (for one-line contexts).
pub(crate) fn unbreak(content: Vec<Inline>) -> Vec<Inline> {
    content
        .into_iter()
        .map(|inline| match inline {
            Inline::Break => Inline::Text(" ".into()),
            Inline::Styled(s, c) => Inline::Styled(s, unbreak(c)),
            Inline::Link(h, c) => Inline::Link(h, unbreak(c)),
            other => other,
        })
        .collect()
}

/// Code blocks lose leading blank lines, trailing white space and carriage returns.
fn code_block(code: &str) -> String {
    let code = code.replace('\r', "");
    let start = code
        .char_indices()
        .take_while(|(_, c)| *c == '\n' || *c == ' ' || *c == '\t')
        .filter(|(_, c)| *c == '\n')
        .last()
        .map_or(0, |(i, _)| i + 1);
    code[start..]
        .trim_end_matches([' ', '\t', '\n'])
        .to_string()
}

fn normalize_list(list: List) -> List {
    let mut items: Vec<Item> = Vec::new();
    for item in list.items {
        let content = inlines(item.inlines, Line::One);
        let lists = normalize_lists(item.lists);
        match (content.is_empty(), items.last_mut()) {
            (true, Some(prev)) => {
                prev.lists = normalize_lists(prev.lists.drain(..).chain(lists).collect())
            }
            (true, None) => items.extend(lists.into_iter().flat_map(|l| l.items)),
            (false, _) => items.push(Item {
                inlines: content,
                lists,
            }),
        }
    }
    List {
        ordered: list.ordered,
        items,
    }
}

fn normalize_lists(lists: Vec<List>) -> Vec<List> {
    let blocks = lists.into_iter().map(Block::List).collect();
    normalize(blocks)
        .into_iter()
        .filter_map(|b| match b {
            Block::List(l) => Some(l),
            _ => None,
        })
        .collect()
}

/// Normal form of inline content in a block (whitespace trimmed at the block's edges).
fn inlines(content: Vec<Inline>, line: Line) -> Vec<Inline> {
    let mut content = tidy(content, line, 0);
    trim_edges(&mut content);
    content
}

/// Deepest span nesting kept; deeper spans are flattened into their parent.
const MAX_DEPTH: usize = 24;

/// Tidies a sequence: cleans children, hoists edge whitespace out of spans, merges neighbours.
fn tidy(content: Vec<Inline>, line: Line, depth: usize) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    for inline in content {
        for piece in clean(inline, line, depth) {
            push(&mut out, piece);
        }
    }
    out
}

/// One inline in normal form; a span may dissolve into several inlines.
fn clean(inline: Inline, line: Line, depth: usize) -> Vec<Inline> {
    match inline {
        Inline::Text(t) => vec![Inline::Text(text(&t, line))],
        Inline::Code(c) => match c.replace(['\n', '\r'], " ") {
            c if c.is_empty() => vec![],
            c => vec![Inline::Code(c)],
        },
        Inline::Break if line == Line::One => vec![Inline::Text(" ".into())],
        Inline::Break => vec![Inline::Break],
        Inline::Image(src, alt) => image(src, text(&alt, Line::One)),
        Inline::Styled(style, children) => styled(style, children, line, depth),
        Inline::Link(href, children) => link(href, children, line, depth),
    }
}

fn image(src: String, alt: String) -> Vec<Inline> {
    let src = src.replace(['\n', '\r'], "").trim_matches(' ').to_string();
    match (src.is_empty(), alt.trim_matches(' ').is_empty()) {
        (true, _) => vec![Inline::Text(alt)],
        (false, _) => vec![Inline::Image(src, alt.trim_matches(' ').to_string())],
    }
}

fn styled(style: Style, children: Vec<Inline>, line: Line, depth: usize) -> Vec<Inline> {
    let children = tidy(without(style, children), line, depth + 1);
    if depth >= MAX_DEPTH {
        return children;
    }
    wrap(children, |inner| {
        // A span holding only another span nests in one order: Bold > Italic > Underline > Strike.
        match inner.as_slice() {
            [Inline::Styled(s, c)] if *s < style => {
                let c = c.clone();
                vec![Inline::Styled(*s, vec![Inline::Styled(style, c)])]
            }
            _ => vec![Inline::Styled(style, inner)],
        }
    })
}

fn link(href: String, children: Vec<Inline>, line: Line, depth: usize) -> Vec<Inline> {
    let href = href.replace(['\n', '\r'], "").trim_matches(' ').to_string();
    let children = tidy(unlink(children), line, depth + 1);
    if href.is_empty() || depth >= MAX_DEPTH {
        return children;
    }
    let children = match has_text(&children) {
        true => children,
        false => vec![Inline::Text(href.clone())],
    };
    wrap(children, |inner| vec![Inline::Link(href, inner)])
}

fn has_text(content: &[Inline]) -> bool {
    content.iter().any(|i| match i {
        Inline::Text(t) => t.chars().any(|c| c != ' ' && c != '\n'),
        Inline::Styled(_, c) | Inline::Link(_, c) => has_text(c),
        Inline::Code(_) | Inline::Image(..) => true,
        Inline::Break => false,
    })
}

/// Wraps `inner` with `make`, keeping white space and breaks at its edges outside the span.
fn wrap(mut inner: Vec<Inline>, make: impl FnOnce(Vec<Inline>) -> Vec<Inline>) -> Vec<Inline> {
    let lead = take_edge(&mut inner, true);
    let trail = take_edge(&mut inner, false);
    let mut out = lead;
    if has_text(&inner) {
        out.extend(make(inner));
    } else {
        out.extend(inner);
    }
    out.extend(trail.into_iter().rev());
    out
}

/// Removes white space and breaks at one edge; returns them (in reading order for the lead).
fn take_edge(content: &mut Vec<Inline>, lead: bool) -> Vec<Inline> {
    let mut taken = Vec::new();
    loop {
        let Some(edge) = (if lead {
            content.first_mut()
        } else {
            content.last_mut()
        }) else {
            return taken;
        };
        match edge {
            Inline::Break => {
                let item = if lead {
                    content.remove(0)
                } else {
                    content.pop().unwrap_or(Inline::Break)
                };
                taken.push(item);
            }
            Inline::Text(t) => {
                let kept = if lead {
                    t.trim_start_matches([' ', '\n'])
                } else {
                    t.trim_end_matches([' ', '\n'])
                };
                let cut = t.len() - kept.len();
                if cut == 0 {
                    return taken;
                }
                let space = if lead {
                    t[..cut].to_string()
                } else {
                    t[t.len() - cut..].to_string()
                };
                *t = kept.to_string();
                if t.is_empty() {
                    if lead {
                        content.remove(0)
                    } else {
                        content.pop().unwrap_or(Inline::Break)
                    };
                }
                taken.push(Inline::Text(space));
            }
            _ => return taken,
        }
    }
}

/// Children of a span without nested spans of the same style.
fn without(style: Style, children: Vec<Inline>) -> Vec<Inline> {
    children
        .into_iter()
        .flat_map(|i| match i {
            Inline::Styled(s, c) if s == style => without(style, c),
            Inline::Styled(s, c) => vec![Inline::Styled(s, without(style, c))],
            Inline::Link(h, c) => vec![Inline::Link(h, without(style, c))],
            other => vec![other],
        })
        .collect()
}

/// Link labels without nested links.
fn unlink(children: Vec<Inline>) -> Vec<Inline> {
    children
        .into_iter()
        .flat_map(|i| match i {
            Inline::Link(_, c) => unlink(c),
            Inline::Styled(s, c) => vec![Inline::Styled(s, unlink(c))],
            other => vec![other],
        })
        .collect()
}

/// Appends one inline, merging it with its neighbour where the two read as one.
fn push(out: &mut Vec<Inline>, piece: Inline) {
    match (out.last_mut(), piece) {
        (_, Inline::Text(t)) if t.is_empty() => {}
        (Some(Inline::Text(a)), Inline::Text(b)) => {
            let joined = format!("{a}{b}");
            *a = text(&joined, Line::Many);
        }
        (Some(Inline::Break), Inline::Text(b)) => {
            let b = b.trim_start_matches([' ', '\n']).to_string();
            if !b.is_empty() {
                out.push(Inline::Text(b));
            }
        }
        (Some(Inline::Text(a)), Inline::Break) => {
            *a = a.trim_end_matches([' ', '\n']).to_string();
            if a.is_empty() {
                out.pop();
            }
            out.push(Inline::Break);
        }
        (Some(Inline::Styled(s, a)), Inline::Styled(t, b)) if *s == t => {
            let joined: Vec<Inline> = a.drain(..).chain(b).collect();
            let mut merged = Vec::new();
            for i in joined {
                push(&mut merged, i);
            }
            *a = merged;
        }
        (_, piece) => out.push(piece),
    }
}

/// Text in normal form: runs of blanks become one space, no space next to a line break, at
/// most one line break in a row; a one-line context turns line breaks into spaces.
fn text(raw: &str, line: Line) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        let c = match c {
            '\n' | '\r' if line == Line::One => ' ',
            '\r' => '\n',
            c if c.is_control() && c != '\n' => ' ',
            c => c,
        };
        match (out.chars().last(), c) {
            (Some(' '), ' ') | (Some('\n'), ' ' | '\n') => {}
            (Some(' '), '\n') => {
                out.pop();
                out.push('\n');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Trims white space and breaks at the block's edges.
fn trim_edges(content: &mut Vec<Inline>) {
    take_edge(content, true);
    take_edge(content, false);
}
