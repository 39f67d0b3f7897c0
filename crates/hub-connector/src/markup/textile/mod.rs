//! Textile as Redmine renders it.
//!
//! Read: `h1.`–`h6.`, `p.`, `bq.`, `bc.`/`pre.` and `<pre>` blocks, `>` quotes, `*`/`#` lists
//! with nesting, `---` rules; `*strong*`/`**b**`, `_em_`/`__i__`, `+ins+`, `-del-`, `??cite??`,
//! `@code@` and `<code>`, `"text":url`, `!src(alt)!`, `<notextile>` and character references.
//! A line end inside a paragraph is a soft break (Redmine shows it as a line break). Spans
//! follow Redmine's rule that they open after a space or `>`/`(` and close before a space or
//! punctuation, so `snake_case` and `a-b-c` stay text. Tables, footnotes, `%span%`, `^sup^`
//! and `~sub~` stay text.

mod inline;
mod read;
mod write;

pub(crate) use read::{needs_guard, read};
pub(crate) use write::write;
