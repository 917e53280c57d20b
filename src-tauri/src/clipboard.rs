//! Copying a letter's text for a web form. The text holds the owner's name and the addresses of
//! images of them, and the clipboard is shared with every program (and often kept by a
//! clipboard history), so Takeback clears it after
//! [`takeback_core::session::CLIPBOARD_CLEAR_AFTER`], unless something else was copied
//! meanwhile.

use std::time::Duration;

/// The system clipboard, as far as this module needs it.
pub trait Clipboard: Send + 'static {
    fn read(&self) -> Option<String>;
    fn write(&self, text: &str) -> Result<(), String>;
}

impl<R: tauri::Runtime> Clipboard for tauri::AppHandle<R> {
    fn read(&self) -> Option<String> {
        use tauri_plugin_clipboard_manager::ClipboardExt;
        self.clipboard().read_text().ok()
    }

    fn write(&self, text: &str) -> Result<(), String> {
        use tauri_plugin_clipboard_manager::ClipboardExt;
        self.clipboard()
            .write_text(text)
            .map_err(|e| format!("could not copy to the clipboard: {e}"))
    }
}

/// Copies `text`, and after `after` empties the clipboard if it still holds `text`.
pub fn copy_then_clear(board: impl Clipboard, text: String, after: Duration) -> Result<(), String> {
    board.write(&text)?;
    std::thread::Builder::new()
        .name("clipboard".into())
        .spawn(move || {
            std::thread::sleep(after);
            if board.read().as_deref() == Some(text.as_str()) {
                let _ = board.write("");
            }
        })
        .map_err(|e| format!("could not schedule clearing the clipboard: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A clipboard in memory (this module's edge: the real one is the desktop's).
    #[derive(Clone, Default)]
    struct Memory(Arc<Mutex<String>>);

    impl Clipboard for Memory {
        fn read(&self) -> Option<String> {
            Some(self.0.lock().unwrap().clone())
        }
        fn write(&self, text: &str) -> Result<(), String> {
            *self.0.lock().unwrap() = text.to_owned();
            Ok(())
        }
    }

    #[test]
    fn the_letter_leaves_the_clipboard_unless_something_else_was_copied() {
        let board = Memory::default();
        copy_then_clear(
            board.clone(),
            "Dear abuse team".into(),
            Duration::from_millis(50),
        )
        .unwrap();
        assert_eq!(board.read().unwrap(), "Dear abuse team");
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(board.read().unwrap(), "", "cleared");

        copy_then_clear(
            board.clone(),
            "Dear abuse team".into(),
            Duration::from_millis(50),
        )
        .unwrap();
        board.write("the owner's own copy").unwrap();
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(board.read().unwrap(), "the owner's own copy", "left alone");
    }
}
