//! The four provider clients against their loopback mocks.

use std::time::{Duration, Instant};

use base64::Engine as _;
use takeback_core::search::providers::prepare::{
    prepare_face_crop, prepare_whole_photo, FaceBox, PrepareLimits,
};
use takeback_core::search::providers::{
    ApiKey, ApprovedQuery, FaceCheck, GoogleVision, MatchKind, ProviderConfig, ProviderError,
    ProviderId, RetryPolicy, SearchProvider, SerpApiLens, TinEye,
};
use takeback_testkit::providers::{FaceCheckMock, SerpApiMock, TinEyeMock, VisionMock};
use takeback_testkit::Fault;
use tokio_util::sync::CancellationToken;

const KEY: &str = "test-key-3f9a1c0d7e";

fn key() -> ApiKey {
    ApiKey::new(KEY.to_owned())
}

/// Quick retries and timeouts so failure paths run in well under a second.
fn config(provider: ProviderId, base_url: &str) -> ProviderConfig {
    let mut config = ProviderConfig::new(provider)
        .with_base_url(provider, base_url)
        .unwrap();
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_total: Duration::from_secs(5),
    };
    config.request_timeout = Duration::from_secs(2);
    config.poll_interval = Duration::from_millis(10);
    config.max_search_time = Duration::from_secs(5);
    config
}

fn original_photo() -> Vec<u8> {
    std::fs::read(super::faces_dir().join("facerec/obama.jpg")).unwrap()
}

fn whole_photo(provider: ProviderId) -> ApprovedQuery {
    let limits = PrepareLimits::for_upload(provider.max_upload_bytes());
    ApprovedQuery::new(prepare_whole_photo(&original_photo(), limits).unwrap())
}

fn face_crop() -> ApprovedQuery {
    let face = FaceBox {
        x: 100.0,
        y: 60.0,
        width: 120.0,
        height: 140.0,
    };
    let limits = PrepareLimits::for_upload(ProviderId::FaceCheck.max_upload_bytes());
    ApprovedQuery::new(prepare_face_crop(&original_photo(), face, limits).unwrap())
}

/// Every error message is free of the key.
fn assert_keyless(error: &ProviderError) {
    let text = error.to_string();
    assert!(!text.contains(KEY), "key in message: {text}");
    assert!(!format!("{error:?}").contains(KEY), "key in debug output");
}

fn cancel() -> CancellationToken {
    CancellationToken::new()
}

mod tineye {
    use super::*;

    fn client(mock: &TinEyeMock) -> TinEye {
        TinEye::new(config(ProviderId::TinEye, &mock.base_url()), key()).unwrap()
    }

    #[tokio::test]
    async fn uploads_the_photo_as_multipart_and_maps_backlinks() {
        let mock = TinEyeMock::start(KEY);
        let tineye = client(&mock);
        assert!(!format!("{tineye:?}").contains(KEY));
        let query = whole_photo(ProviderId::TinEye);
        let outcome = tineye.search(&query, &cancel()).await.unwrap();

        assert_eq!(outcome.hits.len(), 1);
        let hit = &outcome.hits[0];
        assert_eq!(
            hit.image_url.as_deref(),
            Some("https://cdn.example.com/a.jpg")
        );
        assert_eq!(hit.page_url.as_deref(), Some("https://example.com/post/1"));
        assert_eq!(
            hit.thumbnail_url.as_deref(),
            Some("http://img.tineye.com/result/0123abcd")
        );
        assert_eq!(hit.provider_score, Some(71.3));
        assert_eq!(hit.seen.as_deref(), Some("2015-03-18"));
        assert_eq!(hit.match_kind, MatchKind::Exact);
        assert_eq!(outcome.credits.map(|c| c.remaining), Some(99));
        assert_eq!(outcome.raw["code"], 200);

        let searches = mock.server().requests_to("/rest/search/");
        assert_eq!(searches.len(), 1);
        let request = &searches[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.header("x-api-key"), Some(KEY));
        assert_eq!(request.query, "", "nothing in the query string");
        assert_eq!(request.uploads.len(), 1);
        let upload = &request.uploads[0];
        assert_eq!(upload.field, "image_upload");
        assert_eq!(upload.file_name.as_deref(), Some("image.jpg"));
        assert_eq!(
            upload.bytes,
            query.upload().bytes(),
            "exactly the previewed bytes"
        );
        assert_eq!(request.field("limit"), Some("50"));
    }

    #[tokio::test]
    async fn base_url_without_trailing_slash_gets_the_documented_paths() {
        let mock = TinEyeMock::start(KEY);
        let base = mock.base_url();
        let tineye = TinEye::new(
            config(ProviderId::TinEye, base.trim_end_matches('/')),
            key(),
        )
        .unwrap();
        assert_eq!(
            tineye.credits(&cancel()).await.unwrap().unwrap().remaining,
            100
        );
        assert_eq!(
            mock.server().requests_to("/rest/remaining_searches/").len(),
            1
        );
    }

    #[tokio::test]
    async fn a_wrong_key_is_a_bad_key_error_without_the_key() {
        let mock = TinEyeMock::start("the-real-key");
        let error = client(&mock)
            .search(&whole_photo(ProviderId::TinEye), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                ProviderError::BadKey {
                    provider: ProviderId::TinEye,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("Please provide a valid API key"),
            "{error}"
        );
        assert_keyless(&error);
    }

    #[tokio::test]
    async fn no_searches_left_is_credits_exhausted() {
        let mock = TinEyeMock::start(KEY);
        mock.set_remaining_searches(0);
        let error = client(&mock)
            .search(&whole_photo(ProviderId::TinEye), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::CreditsExhausted { .. }),
            "{error:?}"
        );
        assert_eq!(
            mock.server().requests_to("/rest/search/").len(),
            1,
            "402 is not retried"
        );
    }

    #[tokio::test]
    async fn rate_limits_are_retried_after_retry_after() {
        let mock = TinEyeMock::start(KEY);
        mock.server().fail_next(
            "/rest/search/",
            Fault::Status {
                status: 429,
                retry_after: Some(1),
            },
        );
        let started = Instant::now();
        let outcome = client(&mock)
            .search(&whole_photo(ProviderId::TinEye), &cancel())
            .await
            .unwrap();
        assert_eq!(outcome.hits.len(), 1);
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "Retry-After honoured"
        );
        assert_eq!(mock.server().requests_to("/rest/search/").len(), 2);
    }

    #[tokio::test]
    async fn persistent_rate_limits_give_up_after_the_attempts() {
        let mock = TinEyeMock::start(KEY);
        for _ in 0..5 {
            mock.server().fail_next(
                "/rest/search/",
                Fault::Status {
                    status: 429,
                    retry_after: None,
                },
            );
        }
        let error = client(&mock)
            .search(&whole_photo(ProviderId::TinEye), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::RateLimited { .. }),
            "{error:?}"
        );
        assert_eq!(mock.server().requests_to("/rest/search/").len(), 3);
    }

    #[tokio::test]
    async fn a_retry_after_beyond_the_time_budget_is_not_waited_for() {
        let mock = TinEyeMock::start(KEY);
        mock.server().fail_next(
            "/rest/search/",
            Fault::Status {
                status: 429,
                retry_after: Some(3600),
            },
        );
        let started = Instant::now();
        let error = client(&mock)
            .search(&whole_photo(ProviderId::TinEye), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3600)),
            "{error:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(error.to_string().contains("3600 s"), "{error}");
    }

    #[tokio::test]
    async fn server_errors_are_retried() {
        let mock = TinEyeMock::start(KEY);
        mock.server().fail_next(
            "/rest/search/",
            Fault::Status {
                status: 503,
                retry_after: None,
            },
        );
        mock.server().fail_next(
            "/rest/search/",
            Fault::Status {
                status: 500,
                retry_after: None,
            },
        );
        let outcome = client(&mock)
            .search(&whole_photo(ProviderId::TinEye), &cancel())
            .await
            .unwrap();
        assert_eq!(outcome.hits.len(), 1);
        assert_eq!(mock.server().requests_to("/rest/search/").len(), 3);
    }

    #[tokio::test]
    async fn malformed_json_is_reported() {
        let mock = TinEyeMock::start(KEY);
        mock.server()
            .fail_next("/rest/search/", Fault::MalformedJson);
        let error = client(&mock)
            .search(&whole_photo(ProviderId::TinEye), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::Malformed { .. }),
            "{error:?}"
        );
        assert!(
            !error.to_string().contains("Bad Gateway"),
            "the body is not echoed: {error}"
        );
    }

    #[tokio::test]
    async fn slow_answers_time_out() {
        let mock = TinEyeMock::start(KEY);
        mock.server()
            .fail_next("/rest/search/", Fault::Delay(Duration::from_secs(5)));
        let mut config = config(ProviderId::TinEye, &mock.base_url());
        config.request_timeout = Duration::from_millis(300);
        let tineye = TinEye::new(config, key()).unwrap();
        let started = Instant::now();
        let error = tineye
            .search(&whole_photo(ProviderId::TinEye), &cancel())
            .await
            .unwrap_err();
        assert!(matches!(error, ProviderError::Timeout { .. }), "{error:?}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[tokio::test]
    async fn cancelling_stops_a_search_promptly() {
        let mock = TinEyeMock::start(KEY);
        mock.server()
            .fail_next("/rest/search/", Fault::Delay(Duration::from_secs(5)));
        let tineye = client(&mock);
        // Prepared first: re-encoding the photo takes a while in a debug build on a busy
        // machine, and the bound below is about cancelling, not preparing.
        let query = whole_photo(ProviderId::TinEye);
        let token = CancellationToken::new();
        let canceller = token.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            canceller.cancel();
        });
        let started = Instant::now();
        let error = tineye.search(&query, &token).await.unwrap_err();
        assert!(
            matches!(error, ProviderError::Cancelled { .. }),
            "{error:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn a_face_crop_is_refused_before_anything_is_sent() {
        let mock = TinEyeMock::start(KEY);
        let error = client(&mock)
            .search(&face_crop(), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::WrongQuery { .. }),
            "{error:?}"
        );
        assert!(mock.server().requests().is_empty());
    }

    #[tokio::test]
    async fn nothing_listening_is_unreachable() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let tineye = TinEye::new(
            config(
                ProviderId::TinEye,
                &format!("http://127.0.0.1:{port}/rest/"),
            ),
            key(),
        )
        .unwrap();
        let error = tineye
            .search(&whole_photo(ProviderId::TinEye), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::Unreachable { .. }),
            "{error:?}"
        );
        assert!(
            !error.to_string().contains("127.0.0.1"),
            "no URL in the message: {error}"
        );
    }
}

mod google_vision {
    use super::*;

    fn client(mock: &VisionMock) -> GoogleVision {
        GoogleVision::new(config(ProviderId::GoogleVision, &mock.base_url()), key()).unwrap()
    }

    #[tokio::test]
    async fn sends_base64_content_with_the_key_in_a_header() {
        let mock = VisionMock::start(KEY);
        let query = whole_photo(ProviderId::GoogleVision);
        let outcome = client(&mock).search(&query, &cancel()).await.unwrap();

        let requests = mock.server().requests_to("/v1/images:annotate");
        assert_eq!(requests.len(), 1);
        let request = &requests[0];
        assert_eq!(request.header("x-goog-api-key"), Some(KEY));
        assert_eq!(request.query, "", "the key is never in the URL");
        let body = request.json.as_ref().unwrap();
        let content = body["requests"][0]["image"]["content"].as_str().unwrap();
        let sent = base64::engine::general_purpose::STANDARD
            .decode(content)
            .unwrap();
        assert_eq!(sent, query.upload().bytes());
        assert_eq!(body["requests"][0]["features"][0]["type"], "WEB_DETECTION");
        assert_eq!(body["requests"][0]["features"][0]["maxResults"], 50);

        assert_eq!(outcome.hits.len(), 2, "{:#?}", outcome.hits);
        assert_eq!(
            outcome.hits[0].page_url.as_deref(),
            Some("https://example.com/about")
        );
        assert_eq!(
            outcome.hits[0].image_url.as_deref(),
            Some("https://cdn.example.com/me.jpg")
        );
        assert_eq!(outcome.hits[1].match_kind, MatchKind::Partial);
        assert_eq!(outcome.credits, None);
    }

    #[tokio::test]
    async fn an_invalid_key_is_a_bad_key_error() {
        let mock = VisionMock::start("another-key");
        let error = client(&mock)
            .search(&whole_photo(ProviderId::GoogleVision), &cancel())
            .await
            .unwrap_err();
        assert!(matches!(error, ProviderError::BadKey { .. }), "{error:?}");
        assert!(error.to_string().contains("API key not valid"), "{error}");
        assert_keyless(&error);
    }

    #[tokio::test]
    async fn quota_exhaustion_is_rate_limited_after_retries() {
        let mock = VisionMock::start(KEY);
        for _ in 0..3 {
            mock.server().fail_next(
                "/v1/images:annotate",
                Fault::Status {
                    status: 429,
                    retry_after: None,
                },
            );
        }
        let error = client(&mock)
            .search(&whole_photo(ProviderId::GoogleVision), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::RateLimited { .. }),
            "{error:?}"
        );
        assert_eq!(mock.server().requests().len(), 3);
    }

    #[tokio::test]
    async fn billing_off_is_reported_as_a_key_problem() {
        let mock = VisionMock::start(KEY);
        mock.server().fail_next(
            "/v1/images:annotate",
            Fault::Status {
                status: 403,
                retry_after: None,
            },
        );
        let error = client(&mock)
            .search(&whole_photo(ProviderId::GoogleVision), &cancel())
            .await
            .unwrap_err();
        assert!(matches!(error, ProviderError::BadKey { .. }), "{error:?}");
        assert!(error.to_string().contains("billing"), "{error}");
    }

    #[tokio::test]
    async fn no_matches_is_an_empty_outcome() {
        let mock = VisionMock::start(KEY);
        mock.set_detection(serde_json::json!({"webEntities": []}));
        let outcome = client(&mock)
            .search(&whole_photo(ProviderId::GoogleVision), &cancel())
            .await
            .unwrap();
        assert!(outcome.hits.is_empty());
    }
}

mod serpapi_lens {
    use super::*;

    fn client(mock: &SerpApiMock) -> SerpApiLens {
        SerpApiLens::new(config(ProviderId::SerpApiLens, &mock.base_url()), key()).unwrap()
    }

    #[tokio::test]
    async fn uploads_then_searches_exact_matches() {
        let mock = SerpApiMock::start(KEY);
        let query = whole_photo(ProviderId::SerpApiLens);
        assert!(query.upload().bytes().len() <= 500 * 1024);
        let outcome = client(&mock).search(&query, &cancel()).await.unwrap();

        let uploads = mock.server().requests_to("/image");
        assert_eq!(uploads.len(), 1);
        assert_eq!(uploads[0].method, "POST");
        assert_eq!(uploads[0].uploads[0].field, "image");
        assert_eq!(uploads[0].uploads[0].bytes, query.upload().bytes());
        assert_eq!(uploads[0].field("api_key"), Some(KEY));

        let searches = mock.server().requests_to("/search.json");
        assert_eq!(searches.len(), 1);
        let search = &searches[0];
        assert_eq!(search.query_param("engine").as_deref(), Some("google_lens"));
        assert_eq!(search.query_param("type").as_deref(), Some("exact_matches"));
        assert_eq!(
            search.query_param("image_id").as_deref(),
            Some("mockimg0001")
        );
        assert_eq!(search.query_param("api_key").as_deref(), Some(KEY));

        assert_eq!(outcome.hits.len(), 1);
        let hit = &outcome.hits[0];
        assert_eq!(hit.page_url.as_deref(), Some("https://example.com/about"));
        assert_eq!(
            hit.thumbnail_url.as_deref(),
            Some("https://serpapi.com/searches/abc/thumb.jpeg")
        );
        assert_eq!(hit.seen.as_deref(), Some("2 years ago"));
        assert_eq!(hit.image_url, None, "exact matches name no original image");
        assert_eq!(outcome.credits.map(|c| c.remaining), Some(99));
    }

    #[tokio::test]
    async fn an_empty_account_is_credits_exhausted_and_not_retried() {
        let mock = SerpApiMock::start(KEY);
        mock.set_searches_left(0);
        let error = client(&mock)
            .search(&whole_photo(ProviderId::SerpApiLens), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::CreditsExhausted { .. }),
            "{error:?}"
        );
        assert_eq!(mock.server().requests_to("/search.json").len(), 1);
    }

    #[tokio::test]
    async fn the_hourly_limit_is_retried() {
        let mock = SerpApiMock::start(KEY);
        mock.server().fail_next(
            "/search.json",
            Fault::Status {
                status: 429,
                retry_after: None,
            },
        );
        let outcome = client(&mock)
            .search(&whole_photo(ProviderId::SerpApiLens), &cancel())
            .await
            .unwrap();
        assert_eq!(outcome.hits.len(), 1);
        assert_eq!(mock.server().requests_to("/search.json").len(), 2);
    }

    #[tokio::test]
    async fn a_wrong_key_is_refused_at_upload() {
        let mock = SerpApiMock::start("right-key-0000");
        let error = client(&mock)
            .search(&whole_photo(ProviderId::SerpApiLens), &cancel())
            .await
            .unwrap_err();
        assert!(matches!(error, ProviderError::BadKey { .. }), "{error:?}");
        assert_keyless(&error);
        assert!(mock.server().requests_to("/search.json").is_empty());
    }

    #[tokio::test]
    async fn persistent_server_errors_are_unavailable() {
        let mock = SerpApiMock::start(KEY);
        for _ in 0..3 {
            mock.server().fail_next(
                "/search.json",
                Fault::Status {
                    status: 503,
                    retry_after: None,
                },
            );
        }
        let error = client(&mock)
            .search(&whole_photo(ProviderId::SerpApiLens), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::Unavailable { status: 503, .. }),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn no_results_is_an_empty_outcome() {
        let mock = SerpApiMock::start(KEY);
        mock.set_exact_matches(Vec::new());
        let outcome = client(&mock)
            .search(&whole_photo(ProviderId::SerpApiLens), &cancel())
            .await
            .unwrap();
        assert!(outcome.hits.is_empty());
    }
}

mod facecheck {
    use super::*;

    fn client_with(mock: &FaceCheckMock, adjust: impl FnOnce(&mut ProviderConfig)) -> FaceCheck {
        let mut config = config(ProviderId::FaceCheck, &mock.base_url());
        adjust(&mut config);
        FaceCheck::new(config, key()).unwrap()
    }

    fn client(mock: &FaceCheckMock) -> FaceCheck {
        client_with(mock, |_| {})
    }

    #[tokio::test]
    async fn uploads_the_crop_polls_and_deletes_it() {
        let mock = FaceCheckMock::start(KEY);
        let query = face_crop();
        let outcome = client(&mock).search(&query, &cancel()).await.unwrap();

        let paths: Vec<String> = mock
            .server()
            .requests()
            .into_iter()
            .map(|r| r.path)
            .collect();
        assert_eq!(
            paths,
            [
                "/api/info",
                "/api/upload_pic",
                "/api/search",
                "/api/search",
                "/api/search",
                "/api/delete_pic",
                "/api/info"
            ]
        );
        for request in mock.server().requests() {
            assert_eq!(request.method, "POST");
            assert_eq!(
                request.header("authorization"),
                Some(KEY),
                "the raw token, no Bearer"
            );
        }
        let upload = &mock.server().requests_to("/api/upload_pic")[0];
        assert_eq!(upload.uploads.len(), 1);
        assert_eq!(upload.uploads[0].field, "images");
        assert_eq!(upload.uploads[0].bytes, query.upload().bytes());
        assert_eq!(upload.field("id_search"), Some(""));
        let poll = &mock.server().requests_to("/api/search")[0];
        assert_eq!(
            poll.json,
            Some(
                serde_json::json!({"id_search": "mock-0001", "with_progress": true, "status_only": false, "demo": false})
            )
        );
        let delete = &mock.server().requests_to("/api/delete_pic")[0];
        assert_eq!(
            delete.query_param("id_search").as_deref(),
            Some("mock-0001")
        );
        assert_eq!(delete.query_param("id_pic").as_deref(), Some("pic1"));
        assert_eq!(mock.pictures_held(), 0);

        assert_eq!(outcome.hits.len(), 1);
        let hit = &outcome.hits[0];
        assert_eq!(hit.match_kind, MatchKind::Face);
        assert_eq!(
            hit.page_url.as_deref(),
            Some("https://example.com/profile/jane")
        );
        assert_eq!(hit.provider_score, Some(91.0));
        assert!(hit
            .thumbnail_url
            .as_deref()
            .unwrap()
            .starts_with("data:image/webp;base64,"));
        assert_eq!(
            outcome.credits.map(|c| (c.remaining, c.unit)),
            Some((9, "credits"))
        );
    }

    #[tokio::test]
    async fn no_credits_means_no_upload() {
        let mock = FaceCheckMock::start(KEY);
        mock.set_credits(0);
        let error = client(&mock)
            .search(&face_crop(), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::CreditsExhausted { .. }),
            "{error:?}"
        );
        assert!(
            mock.server().requests_to("/api/upload_pic").is_empty(),
            "the face never left"
        );
    }

    #[tokio::test]
    async fn testing_mode_searches_the_demo_index_for_free() {
        let mock = FaceCheckMock::start(KEY);
        let outcome = client_with(&mock, |c| c.testing_mode = true)
            .search(&face_crop(), &cancel())
            .await
            .unwrap();
        assert_eq!(outcome.raw["output"]["demo"], true);
        assert_eq!(mock.credits(), 10);
        assert_eq!(
            mock.server().requests_to("/api/search")[0]
                .json
                .as_ref()
                .unwrap()["demo"],
            true
        );
    }

    #[tokio::test]
    async fn a_wrong_token_is_a_bad_key_error() {
        let mock = FaceCheckMock::start("real-token-1234");
        let error = client(&mock)
            .search(&face_crop(), &cancel())
            .await
            .unwrap_err();
        assert!(matches!(error, ProviderError::BadKey { .. }), "{error:?}");
        assert_keyless(&error);
    }

    #[tokio::test]
    async fn a_search_that_never_finishes_times_out_and_is_deleted() {
        let mock = FaceCheckMock::start(KEY);
        mock.set_progress_step(0);
        let facecheck = client_with(&mock, |c| c.max_search_time = Duration::from_millis(300));
        let error = facecheck.search(&face_crop(), &cancel()).await.unwrap_err();
        assert!(
            matches!(error, ProviderError::SearchTimedOut { .. }),
            "{error:?}"
        );
        assert_eq!(mock.pictures_held(), 0, "the upload was deleted");
        let polls = mock.server().requests_to("/api/search").len();
        assert!((2..=40).contains(&polls), "{polls} polls");
    }

    #[tokio::test]
    async fn cancelling_while_polling_still_deletes_the_upload() {
        let mock = FaceCheckMock::start(KEY);
        mock.set_progress_step(0);
        let facecheck = client_with(&mock, |c| c.poll_interval = Duration::from_millis(50));
        let token = CancellationToken::new();
        let canceller = token.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            canceller.cancel();
        });
        let error = facecheck.search(&face_crop(), &token).await.unwrap_err();
        assert!(
            matches!(error, ProviderError::Cancelled { .. }),
            "{error:?}"
        );
        assert_eq!(mock.pictures_held(), 0);
    }

    #[tokio::test]
    async fn a_whole_photo_is_never_sent_to_a_face_finder() {
        let mock = FaceCheckMock::start(KEY);
        let error = client(&mock)
            .search(&whole_photo(ProviderId::FaceCheck), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::WrongQuery { .. }),
            "{error:?}"
        );
        assert!(mock.server().requests().is_empty());
    }

    #[tokio::test]
    async fn malformed_poll_answers_are_reported_and_the_upload_deleted() {
        let mock = FaceCheckMock::start(KEY);
        mock.server().fail_next("/api/search", Fault::MalformedJson);
        let error = client(&mock)
            .search(&face_crop(), &cancel())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::Malformed { .. }),
            "{error:?}"
        );
        assert_eq!(mock.pictures_held(), 0);
    }
}
