//! Property tests of the providers' answer parsers (issue 15): whatever JSON a provider (or
//! something posing as one) sends, each parser returns without panicking, every hit names an
//! image or a page, and no parser finds more hits than the answer has values.

use proptest::prelude::*;
use serde_json::Value;
use takeback_testkit::arbitrary::{config, json, mutated, nodes};

use super::{facecheck, google_vision, serpapi_lens, tineye, CandidateHit};

/// The names the four parsers look up, so that generated answers reach their inner loops.
const KEYS: &[&str] = &[
    "results",
    "matches",
    "backlinks",
    "url",
    "backlink",
    "image_url",
    "score",
    "crawl_date",
    "pagesWithMatchingImages",
    "fullMatchingImages",
    "partialMatchingImages",
    "pageTitle",
    "exact_matches",
    "link",
    "title",
    "thumbnail",
    "image",
    "date",
    "items",
    "base64",
];

/// A valid-looking answer of each provider, to mutate byte by byte.
const SAMPLE: &str = r#"{"results":{"matches":[{"score":91.5,"image_url":"https://t.example/1.jpg",
"backlinks":[{"url":"https://a.example/me.jpg","backlink":"https://a.example/post","crawl_date":"2024-01-02"}]}]},
"pagesWithMatchingImages":[{"url":"https://b.example/p","pageTitle":"<b>x</b>","fullMatchingImages":[{"url":"https://b.example/i.jpg"}]}],
"partialMatchingImages":[{"url":"https://c.example/i.png"}],
"exact_matches":[{"link":"https://d.example/p","title":"t","thumbnail":"https://d.example/t.jpg","image":"https://d.example/i.jpg","date":"2 days ago"}],
"items":[{"url":"https://e.example/p","score":88,"base64":"data:image/webp;base64,AAAA"}]}"#;

fn check(hits: &[CandidateHit], answer: &Value) {
    assert!(hits.len() <= nodes(answer), "more hits than values");
    for hit in hits {
        assert!(
            hit.image_url.is_some() || hit.page_url.is_some(),
            "a hit that names nothing: {hit:?}"
        );
    }
}

fn every_parser(answer: &Value) {
    if let Ok(hits) = tineye::parse_matches(answer) {
        check(&hits, answer);
    }
    check(&google_vision::parse_web_detection(answer), answer);
    check(&serpapi_lens::parse_exact_matches(answer), answer);
    check(&facecheck::parse_items(answer), answer);
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn every_parser_takes_any_json(answer in json(KEYS)) {
        every_parser(&answer);
    }

    #[test]
    fn every_parser_takes_a_damaged_answer(bytes in mutated(SAMPLE.as_bytes().to_vec())) {
        if let Ok(answer) = serde_json::from_slice::<Value>(&bytes) {
            every_parser(&answer);
        }
    }
}

#[test]
fn the_sample_answer_gives_hits_to_every_parser() {
    // The mutations start from an answer every parser reads, so they test near-valid input.
    let answer: Value = serde_json::from_str(SAMPLE).unwrap();
    assert_eq!(tineye::parse_matches(&answer).unwrap().len(), 1);
    assert_eq!(google_vision::parse_web_detection(&answer).len(), 2);
    assert_eq!(serpapi_lens::parse_exact_matches(&answer).len(), 1);
    assert_eq!(facecheck::parse_items(&answer).len(), 1);
}
