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

/// Whether `name` is in `text` (pdftotext's output), word by word and in logical order, with
/// whitespace ignored. pdftotext (poppler 22) writes right-to-left words in logical order, but it
/// may order two RTL words of one line either way round, so each word is looked for on its own,
/// all on one line.
pub fn has_name(text: &str, name: &str) -> bool {
    text.lines()
        .any(|line| name.split_whitespace().all(|word| line.contains(word)))
}
