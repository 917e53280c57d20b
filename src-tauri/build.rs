fn main() {
    // Declaring the app's commands makes Tauri require a permission for each, so the window can
    // call only what `capabilities/default.json` grants (least privilege).
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "get_app_info",
            "quick_exit",
            "list_settings",
            "set_setting",
            "list_profiles",
            "create_profile",
            "unlock_profile",
            "lock_profile",
            "lock_all_profiles",
            "keep_alive",
            "change_passphrase",
            "delete_profile",
            "check_enrollment_photo",
            "discard_enrollment_photo",
            "enroll_photos",
            "get_enrollment",
            "reference_photo_preview",
            "remove_reference_photo",
            "check_photo",
            "get_audit_log",
            "get_identity",
            "set_identity",
            "find_contacts",
            "advise_letters",
            "draft_letter",
            "suggest_letter_path",
            "save_letter",
            "list_cases",
            "case_timeline",
            "case_letter_text",
            "mark_case_sent",
            "set_case_state",
        ]),
    ))
    .expect("failed to run tauri-build");
}
