//! Decompression chosen by magic bytes, never by a file name: gzip (any number of
//! members), xz, the first `.xml` entry of a zip archive, or plain bytes.

use std::io::{self, Read};

use flate2::read::MultiGzDecoder;
use lzma_rust2::XzReader;

use super::Error;

const GZIP: &[u8] = &[0x1f, 0x8b];
const XZ: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0x00];
const ZIP: &[u8] = &[b'P', b'K', 0x03, 0x04];

/// xz headers choose their dictionary size; a hostile one could ask for gigabytes.
/// `xz -9` needs 64 MiB, so twice that is room for any honest feed.
const XZ_MEMORY_LIMIT_KIB: u32 = 128 * 1024;

/// Calls `f` with the decompressed stream of `input`.
///
/// A callback rather than a returned reader because a zip entry borrows the stream it
/// is read from, and the entries before it must be read past first.
pub(super) fn with_decompressed<R, T, E>(
    mut input: R,
    f: impl FnOnce(&mut dyn Read) -> Result<T, E>,
) -> Result<T, E>
where
    R: Read,
    E: From<Error>,
{
    let mut head = [0u8; 6];
    let n = read_head(&mut input, &mut head).map_err(Error::Io)?;
    let head = &head[..n];
    let mut stream = head.chain(input);
    if head.starts_with(GZIP) {
        f(&mut MultiGzDecoder::new(stream))
    } else if head.starts_with(XZ) {
        f(&mut XzReader::new_mem_limit(
            stream,
            true,
            XZ_MEMORY_LIMIT_KIB,
        ))
    } else if head.starts_with(ZIP) {
        with_first_xml_entry(&mut stream, f)
    } else {
        f(&mut stream)
    }
}

/// Reads until `head` is full or the input ends: one `read` may return fewer bytes.
fn read_head(input: &mut impl Read, head: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < head.len() {
        match input.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn is_xml_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".xml")
}

/// Streams the archive's entries (no seeking: the body may be a network stream) and
/// hands the first whose name ends in `.xml` to `f`.
fn with_first_xml_entry<R, T, E>(
    stream: &mut R,
    f: impl FnOnce(&mut dyn Read) -> Result<T, E>,
) -> Result<T, E>
where
    R: Read,
    E: From<Error>,
{
    loop {
        let entry = zip::read::read_zipfile_from_stream(stream)
            .map_err(|e| Error::Io(io::Error::other(e)))?;
        match entry {
            Some(mut file) if is_xml_name(&file.name().unwrap_or_default()) => {
                return f(&mut file);
            }
            // Dropping a streamed entry reads past its data to the next header.
            Some(file) => drop(file),
            None => return Err(Error::EmptyArchive.into()),
        }
    }
}
