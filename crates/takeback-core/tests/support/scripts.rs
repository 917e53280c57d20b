//! Names in the scripts Takeback's users write names in, and how a test finds one in the text
//! poppler's `pdftotext` extracts from a PDF (issue 15, item 4).

/// A name in each script Takeback's users write names in, with the script's name.
pub const NAMES: [(&str, &str); 8] = [
    ("Arabic", "ليلى حداد"),
    ("Hebrew", "נועה כהן"),
    ("Chinese", "王秀英"),
    ("Devanagari", "अनन्या शर्मा"),
    ("Greek", "Ελένη Παπαδοπούλου"),
    ("Cyrillic", "Анна Иванова"),
    ("Polish", "Żaneta Łukasiewicz-Wójcik"),
    ("Vietnamese", "Nguyễn Thị Hương"),
];

/// Whether every word of `name` is in one line of `text` (pdftotext's output), each word in
/// logical (reading) order, the characters the user typed. pdftotext 22.12 writes a
/// right-to-left run in logical order wrapped in U+202B and U+202C embedding marks
/// (`Name: \u{202B}ليلى حداد\u{202C}`), so the marks are not part of the match; the words are looked
/// for one by one so that a different order of the words of a right-to-left name (a visual
/// rather than logical line) would still be accepted, while a missing or garbled word is not.
pub fn has_name(text: &str, name: &str) -> bool {
    text.lines()
        .any(|line| name.split_whitespace().all(|word| line.contains(word)))
}
