//! Writing the merged guide as an XMLTV document, streamed.
