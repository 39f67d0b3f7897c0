//! Markdown: the CommonMark subset trackers use (Redmine's Markdown formatter, most web
//! trackers).
//!
//! Read: ATX headings, paragraphs with soft and hard breaks, `-`/`+`/`*` and `1.`/`1)` lists with
//! nesting, fenced and indented code, `>` quotes, thematic breaks, `**`/`__` strong, `*`/`_`
//! emphasis, `~~` strike, code spans, `[text](url)`, `![alt](src)`, `<scheme:…>` autolinks,
//! backslash escapes and the inline tags `<strong>`, `<b>`, `<em>`, `<i>`, `<ins>`, `<u>`,
//! `<del>`, `<s>`, `<br>`. Setext headings, tables, reference links and other HTML stay text.

mod blocks;
mod inline;
mod write;

pub(crate) use blocks::read;
pub(crate) use write::write;
