fn main() {
    // Declaring the app's commands makes Tauri require a permission for each, so the window can
    // call only what `capabilities/default.json` grants (least privilege).
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "get_app_info",
            "quick_exit",
            "list_settings",
            "set_setting",
        ]),
    ))
    .expect("failed to run tauri-build");
}
