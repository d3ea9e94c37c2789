//! The charset stage: whatever the feed's encoding, the parser reads UTF-8.
//!
//! The encoding comes from a byte-order mark, else from the XML declaration's
//! `encoding=`, else UTF-8 (XML 1.0 §4.3.3 and appendix F). quick-xml is built without
//! its `encoding` feature, so it never re-decodes what this stage produced even though
//! the declaration still names the original encoding.

use std::io::{self, BufRead, Read};

use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_8, UTF_16BE, UTF_16LE};

use super::Error;
use super::limit::Counter;

/// How much of the document's start is searched for the XML declaration.
const SNIFF_BYTES: usize = 1024;
const IN_CAPACITY: usize = 64 * 1024;
/// Output space per refill; a U+FFFD (3 bytes) may be written past it, into the slack.
pub(super) const OUT_CAPACITY: usize = 64 * 1024;
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// A `BufRead` of UTF-8 decoded from `R` in chunks, never holding the whole document.
pub(super) struct Utf8Reader<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    in_pos: usize,
    in_end: usize,
    eof: bool,
    finished: bool,
    output: Vec<u8>,
    out_pos: usize,
    out_end: usize,
    replacements: Counter,
}

impl<R: Read> Utf8Reader<R> {
    /// Sniffs the encoding from the first bytes; `replacements` counts U+FFFD produced
    /// from bytes invalid in that encoding.
    pub(super) fn new(mut inner: R, replacements: Counter) -> Result<Self, Error> {
        let mut input = vec![0; IN_CAPACITY];
        let mut in_end = 0;
        let mut eof = false;
        while in_end < SNIFF_BYTES && !eof {
            match inner.read(&mut input[in_end..]) {
                Ok(0) => eof = true,
                Ok(n) => in_end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::Io(e)),
            }
        }
        let (encoding, bom) = sniff(&input[..in_end])?;
        Ok(Self {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input,
            in_pos: bom,
            in_end,
            eof,
            finished: false,
            output: vec![0; OUT_CAPACITY + REPLACEMENT.len()],
            out_pos: 0,
            out_end: 0,
            replacements,
        })
    }

    /// Decodes the next chunk into the (drained) output buffer.
    fn refill(&mut self) -> io::Result<()> {
        let mut written_total = 0;
        while written_total == 0 && !self.finished {
            if self.in_pos == self.in_end && !self.eof {
                self.in_pos = 0;
                self.in_end = self.inner.read(&mut self.input)?;
                self.eof = self.in_end == 0;
            }
            while written_total < OUT_CAPACITY {
                let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                    &self.input[self.in_pos..self.in_end],
                    &mut self.output[written_total..OUT_CAPACITY],
                    self.eof,
                );
                self.in_pos += read;
                written_total += written;
                match result {
                    DecoderResult::InputEmpty => {
                        self.finished = self.eof;
                        break;
                    }
                    DecoderResult::OutputFull => break,
                    DecoderResult::Malformed(_, _) => {
                        let end = written_total + REPLACEMENT.len();
                        self.output[written_total..end].copy_from_slice(REPLACEMENT);
                        written_total = end;
                        self.replacements.set(self.replacements.get() + 1);
                    }
                }
            }
        }
        self.out_pos = 0;
        self.out_end = written_total;
        Ok(())
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        super::read_from_buffer(self, buf)
    }
}

impl<R: Read> BufRead for Utf8Reader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.out_pos == self.out_end {
            self.refill()?;
        }
        Ok(&self.output[self.out_pos..self.out_end])
    }

    fn consume(&mut self, amount: usize) {
        self.out_pos = (self.out_pos + amount).min(self.out_end);
    }
}

/// The document's encoding and the length of its byte-order mark.
fn sniff(head: &[u8]) -> Result<(&'static Encoding, usize), Error> {
    if let Some(found) = Encoding::for_bom(head) {
        return Ok(found);
    }
    // UTF-16 without a BOM still starts with "<?" (XML 1.0 appendix F).
    if head.starts_with(b"<\0?\0") {
        return Ok((UTF_16LE, 0));
    }
    if head.starts_with(b"\0<\0?") {
        return Ok((UTF_16BE, 0));
    }
    let Some(label) = declared_encoding(head) else {
        return Ok((UTF_8, 0));
    };
    match Encoding::for_label(label) {
        // The declaration was readable as ASCII, so the bytes cannot be UTF-16
        // whatever it says; browsers make the same call.
        Some(e) if e == UTF_16LE || e == UTF_16BE => Ok((UTF_8, 0)),
        Some(e) => Ok((e, 0)),
        None => Err(Error::UnsupportedEncoding(
            String::from_utf8_lossy(label).into_owned(),
        )),
    }
}

/// The value of `encoding=` in a leading `<?xml … ?>`, if any.
fn declared_encoding(head: &[u8]) -> Option<&[u8]> {
    let decl = head.strip_prefix(b"<?xml")?;
    let decl = &decl[..find(decl, b"?>")?];
    let after = &decl[find(decl, b"encoding")? + b"encoding".len()..];
    let after = trim_start(after).strip_prefix(b"=")?;
    let after = trim_start(after);
    let quote = *after.first().filter(|q| **q == b'"' || **q == b'\'')?;
    let value = &after[1..];
    Some(&value[..value.iter().position(|b| *b == quote)?])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[skip..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (String, u64) {
        let count = Counter::default();
        let mut out = String::new();
        Utf8Reader::new(bytes, count.clone())
            .expect("sniff")
            .read_to_string(&mut out)
            .expect("decode");
        (out, count.get())
    }

    #[test]
    fn encodings_are_sniffed_from_bom_and_declaration() {
        let cases: &[(&[u8], &str, u64)] = &[
            (b"<a>\xc3\xa9</a>", "<a>é</a>", 0),
            (b"\xef\xbb\xbf<a>\xc3\xa9</a>", "<a>é</a>", 0),
            (b"\xff\xfe<\0a\0>\0\xe9\0", "<a>é", 0),
            (b"\xfe\xff\0<\0a\0>\0\xe9", "<a>é", 0),
            (
                b"<?xml version='1.0' encoding = 'ISO-8859-1'?><a>\xe9\x93</a>",
                "<?xml version='1.0' encoding = 'ISO-8859-1'?><a>é\u{201c}</a>",
                0,
            ),
            (
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>\xe9 \x93</a>",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>\u{FFFD} \u{FFFD}</a>",
                2,
            ),
            // One malformed sequence (a lead byte and its continuation) is one U+FFFD,
            // as the WHATWG decoder specifies.
            (b"<a>\xe9\x93</a>", "<a>\u{FFFD}</a>", 1),
            (b"<a>\xe2\x82", "<a>\u{FFFD}", 1),
        ];
        for (input, expected, replacements) in cases {
            assert_eq!(decode(input), (expected.to_string(), *replacements));
        }
    }

    #[test]
    fn unknown_encoding_is_an_error() {
        let e = Utf8Reader::new(
            &b"<?xml version='1.0' encoding='klingon'?>"[..],
            Counter::default(),
        )
        .err()
        .expect("unknown");
        assert_eq!(e.to_string(), "unsupported encoding \"klingon\"");
    }

    #[test]
    fn long_input_crosses_chunk_boundaries_intact() {
        let text = "é".repeat(100_000);
        let latin1: Vec<u8> = b"<?xml version='1.0' encoding='latin1'?>"
            .iter()
            .copied()
            .chain(std::iter::repeat_n(0xe9, 100_000))
            .collect();
        let (out, bad) = decode(&latin1);
        assert_eq!(
            out,
            format!("<?xml version='1.0' encoding='latin1'?>{text}")
        );
        assert_eq!(bad, 0);
    }
}
