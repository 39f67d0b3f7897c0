//! Trac WikiFormatting.
//!
//! Read: `= heading =` (levels 1–6), paragraphs, indented `*`/`-`/`1.`/`a.` lists with nesting,
//! `{{{ }}}` blocks (a `#!processor` line is dropped), `>` citations and indented quotes,
//! `----` rules; `'''bold'''`, `''italic''`, `'''''both'''''`, `__underline__`, `~~strike~~`,
//! `{{{code}}}` and `` `code` ``, `[url label]`, `[[url|label]]`, `[[BR]]`,
//! `[[Image(src)]]` and `!` escapes. Trac styles are toggles, so an unclosed one ends with
//! its paragraph. WikiPageNames, `#123` and other implicit links stay text, and the writer
//! escapes them with `!` so that text from another tracker does not link into this Trac.

mod inline;
mod read;
mod write;

pub(crate) use read::read;
pub(crate) use write::write;
