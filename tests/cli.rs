//! The `errnorm` command-line tool end to end (built with `--features cli`).

#![cfg(feature = "cli")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_errnorm"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The tool may exit before reading its input (a bad --rules file): a broken pipe
    // here is not the test's failure.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `errnorm classify FILE | head -1`: the reader goes away after one line; the tool
/// ends quietly with success, as a Unix filter does, not with "Broken pipe".
#[test]
fn a_reader_that_stops_reading_ends_the_tool_quietly() {
    use std::io::BufRead;
    let line = br#"{"status": 429, "body": "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"}"#;
    let path = std::env::temp_dir().join(format!("errnorm-pipe-{}.jsonl", std::process::id()));
    let mut input = Vec::new();
    for _ in 0..20_000 {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    std::fs::write(&path, &input).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_errnorm"))
        .args(["classify", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader (and the pipe's read end) is dropped here.
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(first.contains("rate_limit"), "{first}");
    assert!(out.status.success(), "{:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_readme_example_file_classifies_line_for_line() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/responses.jsonl");
    let input = std::fs::read_to_string(path).unwrap();
    let out = run(&["classify", path], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = lines(&out);
    assert_eq!(got.len(), input.lines().count());
    for (line, (inp, v)) in input.lines().zip(got.iter()).enumerate() {
        let inp: Value = serde_json::from_str(inp).unwrap();
        assert!(v.get("input_error").is_none(), "line {}: {v}", line + 1);
        for key in [
            "kind",
            "reason",
            "provider",
            "code",
            "message",
            "retryable",
            "retry_after_ms",
            "basis",
        ] {
            assert!(v.get(key).is_some(), "line {}: no {key}", line + 1);
        }
        assert_eq!(v["status"], inp["status"]);
    }
    // The first line is MiniMax's 1004 under HTTP 200.
    assert_eq!(got[0]["kind"], "auth");
    assert_eq!(got[0]["code"], 1004);
    assert_eq!(got[0]["basis"], "provider_code");
    // Success lines have a null kind.
    assert!(got.iter().any(|v| v["kind"].is_null()));
}

#[test]
fn stdin_headers_base64_and_hints() {
    let input = concat!(
        r#"{"status":429,"headers":{"retry-after":"5"},"body":"{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"},\"type\":\"error\"}"}"#,
        "\n",
        r#"{"provider":"novita","status":400,"body":"{\"code\":400,\"reason\":\"MISSING_API_KEY\",\"message\":\"API Key not provided\"}"}"#,
        "\n",
        r#"{"provider":null,"status":502,"body_base64":"/w=="}"#,
        "\n",
        r#"{"status":200,"headers":{"retry-after-ms":250},"body":"{\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit\"}}"}"#,
        "\n"
    );
    let out = run(&["classify"], input.as_bytes());
    assert!(out.status.success());
    let v = lines(&out);
    assert_eq!(v.len(), 4);
    assert_eq!(v[0]["kind"], "rate_limit");
    assert_eq!(v[0]["retry_after_ms"], 5000);
    assert_eq!(v[0]["retryable"], true);
    assert_eq!(v[0]["provider"], "anthropic");
    assert_eq!(v[1]["kind"], "auth");
    assert_eq!(v[1]["reason"], "missing_key");
    assert_eq!(v[1]["provider_detected"], false);
    assert_eq!(v[2]["kind"], "transient");
    assert_eq!(v[2]["basis"], "http_status");
    assert_eq!(v[3]["code"], 1002);
    assert_eq!(v[3]["retry_after_ms"], 250);
}

#[test]
fn malformed_lines_get_an_input_error_and_exit_1_but_the_run_goes_on() {
    let input = concat!(
        "not json\n",
        r#"{"status":200,"body":""}"#,
        "\n",
        r#"{"status":99999,"body":""}"#,
        "\n",
        r#"{"provider":"nobody","status":500,"body":""}"#,
        "\n",
        r#"{"status":500,"body":"","body_base64":""}"#,
        "\n",
        r#"{"status":500,"body_base64":"!!"}"#,
        "\n",
        r#"{"status":500,"headers":{"bad header":"x"}}"#,
        "\n",
        "\n",
        r#"{"status":500}"#,
        "\n"
    );
    let out = run(&["classify"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let v = lines(&out);
    assert_eq!(v.len(), 9);
    for i in [0, 2, 3, 4, 5, 6, 7] {
        assert!(v[i]["input_error"].is_string(), "line {}: {}", i + 1, v[i]);
    }
    assert!(v[1]["kind"].is_null());
    assert_eq!(v[8]["kind"], "transient");
}

#[test]
fn explain_known_and_unknown_codes() {
    let out = run(&["explain", "minimax", "1008"], b"");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("quota"), "{text}");
    assert!(text.contains("insufficient_balance"));
    assert!(text.contains("余额不足"));
    assert!(text.contains("Please check your account balance."));

    let out = run(&["explain", "novita", "BANNED_USER"], b"");
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("account_suspended"));

    let out = run(&["explain", "minimax", "2064"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout).unwrap().contains("unknown"));

    let out = run(&["explain", "nobody", "1"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn client_safe_and_explain_add_their_fields() {
    let input = concat!(
        r#"{"status":401,"body":"{\"error\":{\"message\":\"Incorrect API key provided: sk-abcdefghijklmnop1234 from 10.1.2.3\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"}"#,
        "\n",
        r#"{"status":200,"body":"{\"choices\":[]}"}"#,
        "\n"
    );
    let out = run(
        &["classify", "--client-safe", "--explain"],
        input.as_bytes(),
    );
    assert!(out.status.success());
    let v = lines(&out);
    assert_eq!(v[0]["client_status"], 401);
    assert_eq!(v[0]["client_body"]["error"]["code"], "invalid_key");
    assert_eq!(v[0]["client_body"]["error"]["type"], "authentication_error");
    assert_eq!(
        v[0]["client_body"]["error"]["message"],
        "The upstream API key is invalid"
    );
    assert_eq!(v[0]["evidence"]["path"], "/error/code");
    assert_eq!(v[0]["evidence"]["rule"], "openai:invalid_api_key");
    assert_eq!(v[0]["evidence"]["value"], "invalid_api_key");
    assert!(v[1]["client_body"].is_null() && v[1].get("client_body").is_some());
    assert!(v[1]["evidence"].is_null() && v[1].get("evidence").is_some());

    let out = run(
        &["classify", "--client-safe", "--upstream-message"],
        input.as_bytes(),
    );
    let v = lines(&out);
    let msg = v[0]["client_body"]["error"]["message"].as_str().unwrap();
    assert_eq!(msg, "Incorrect API key provided: [redacted:key] from [ip]");

    let out = run(
        &["classify", "--client-safe", "--lang", "zh"],
        input.as_bytes(),
    );
    let v = lines(&out);
    assert_eq!(
        v[0]["client_body"]["error"]["message"],
        "上游服务的 API 密钥无效"
    );

    // Without the flags, neither field appears.
    let out = run(&["classify"], input.as_bytes());
    let v = lines(&out);
    assert!(v[0].get("client_body").is_none() && v[0].get("evidence").is_none());
}

#[test]
fn stats_counts_what_classify_says() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/responses.jsonl");
    let classified = lines(&run(&["classify", path], b""));
    let mut input = std::fs::read(path).unwrap();
    input.extend_from_slice(b"not json\n");
    let out = run(&["stats", "--json", "--top", "3"], &input);
    // The malformed line is counted, and fails the run as it does in classify.
    assert_eq!(out.status.code(), Some(1));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = classified.iter().filter(|v| !v["kind"].is_null()).count() as u64;
    assert_eq!(s["lines"], classified.len() as u64 + 1);
    assert_eq!(s["errors"], errors);
    assert_eq!(s["not_errors"], classified.len() as u64 - errors);
    assert_eq!(s["malformed"], 1);
    let quota = classified.iter().filter(|v| v["kind"] == "quota").count() as u64;
    assert_eq!(s["by_kind"]["quota"], quota);
    let kinds: u64 = s["by_kind"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(kinds, errors);
    let top = s["top_codes"].as_array().unwrap();
    assert_eq!(top.len(), 3);
    assert!(top[0]["count"].as_u64() >= top[1]["count"].as_u64());

    let out = run(&["stats"], &input);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with(&format!("{} lines: {errors} errors", classified.len() + 1)),
        "{table}"
    );
    assert!(table.contains("top codes"));
}

#[test]
fn rules_files_are_read_before_the_built_in_tables() {
    let dir = std::env::temp_dir().join(format!("errnorm-cli-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("minimax.tsv");
    std::fs::write(
        &good,
        "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\n2064\tbase_resp.status_code\t-\ttransient\toverloaded\texact\t-\tbusy\tops\t-\n",
    )
    .unwrap();
    let input =
        r#"{"status":200,"body":"{\"base_resp\":{\"status_code\":2064,\"status_msg\":\"x\"}}"}"#;
    let out = run(
        &["classify", "--rules", good.to_str().unwrap()],
        input.as_bytes(),
    );
    assert!(out.status.success());
    let v = lines(&out);
    assert_eq!(
        (v[0]["reason"].as_str(), v[0]["rule"].as_str()),
        (Some("overloaded"), Some("minimax:2064"))
    );
    // Without the rules the code is unknown: the default decides.
    let v = lines(&run(&["classify"], input.as_bytes()));
    assert_eq!(v[0]["basis"], "default");

    let bad = dir.join("novita.tsv");
    std::fs::write(&bad, "id\twhere\tstatus\tkind\treason\tweight\tlang\tdescription\tsource\tnote\nA\treason\t400\tauth\tnope\texact\t-\td\ts\t-\n").unwrap();
    let out = run(
        &["classify", "--rules", bad.to_str().unwrap()],
        input.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("novita.tsv:2: unknown reason `nope`"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_describes_each_command_under_its_own_name() {
    let out = run(&["--help"], b"");
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    let line = |cmd: &str| {
        help.lines()
            .find(|l| l.trim_start().starts_with(cmd))
            .unwrap_or_else(|| panic!("no {cmd} in {help}"))
            .to_string()
    };
    assert!(line("classify").contains("Classify JSON Lines"), "{help}");
    assert!(line("stats").contains("Count a log"), "{help}");
    assert!(
        line("explain").contains("Explain a provider's code"),
        "{help}"
    );
    // Each command's own --help says what it does.
    for (cmd, words) in [
        ("classify", "Classify JSON Lines"),
        ("stats", "Count a log"),
        ("explain", "Explain a provider's code"),
    ] {
        let out = run(&[cmd, "--help"], b"");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(words), "{cmd}: {text}");
    }
}

#[test]
fn a_line_with_thirty_thousand_headers_gets_one_line_and_the_run_goes_on() {
    let mut headers = serde_json::Map::new();
    for i in 0..30_000 {
        headers.insert(format!("x-h{i}"), Value::String("v".into()));
    }
    let big = serde_json::json!({"status": 500, "headers": headers, "body": ""}).to_string();
    let input = format!("{big}\n{{\"status\":429,\"body\":\"\"}}\n");
    for cmd in ["classify", "stats"] {
        let out = run(&[cmd], input.as_bytes());
        assert_eq!(
            out.status.code(),
            Some(1),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr)
            .find("panicked")
            .is_none());
        if cmd == "classify" {
            let v = lines(&out);
            assert_eq!(v.len(), 2, "one output line per input line");
            assert!(v[0]["input_error"].as_str().unwrap().contains("headers"));
            assert_eq!(v[1]["kind"], "rate_limit");
        }
    }
}

#[test]
fn stats_escapes_and_redacts_what_it_prints_and_fails_on_malformed_lines() {
    let body = r#"{"error":{"code":"evil\u001b[31m\ncode sk-abcdefghijklmnop1234","message":"x"}}"#;
    let input = format!("{}\n", serde_json::json!({"status": 400, "body": body}));
    let out = run(&["stats"], input.as_bytes());
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(!text.contains("sk-abcdefghijklmnop1234"), "{text}");
    assert!(text.contains("\\u{1b}"), "{text}");
    let out = run(&["stats"], format!("{input}not json\n").as_bytes());
    assert_eq!(out.status.code(), Some(1));
}

/// A line over the cap gets one `input_error` line, and the lines after it are read as
/// usual; its bytes are never held (a 3 MB line under a 1 KiB cap), CRLF ends too.
#[test]
fn a_line_over_the_cap_gets_one_error_line_and_the_next_lines_are_read() {
    let ok = r#"{"status":429,"body":"{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"}"#;
    let huge = format!(r#"{{"status":500,"body":"{}"}}"#, "x".repeat(3_000_000));
    let input = format!("{ok}\r\n{huge}\n{ok}\n");
    let out = run(&["classify", "--max-line", "1024"], input.as_bytes());
    assert_eq!(
        out.status.code(),
        Some(1),
        "an oversize line is malformed input"
    );
    let got = lines(&out);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0]["kind"], "rate_limit");
    assert!(got[1]["input_error"]
        .as_str()
        .is_some_and(|e| e.contains("over the cap of 1024")));
    assert_eq!(got[2]["kind"], "rate_limit");
    // The same line under the default cap is read and classified.
    let out = run(&["classify"], huge.as_bytes());
    assert_eq!(lines(&out)[0]["kind"], "transient");
    // stats counts it as malformed.
    let out = run(&["stats", "--json", "--max-line", "1024"], input.as_bytes());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["malformed"], 1);
    assert_eq!(v["errors"], 2);
}

/// The output line's `code`, `error_type` and `message` are upstream text: none of them
/// carries a token planted there (they end up in logs).
#[test]
fn upstream_code_type_and_message_are_redacted_in_output_lines() {
    let secret = "Zq7Lm2Xw9Pv4Rt8Ks3";
    let body = serde_json::json!({"error": {
        "message": format!("key {secret} was refused"),
        "type": format!("t_{secret}"),
        "code": secret,
    }})
    .to_string();
    let line = serde_json::json!({"status": 401, "body": body}).to_string();
    let out = run(&["classify"], format!("{line}\n").as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(secret), "{text}");
    let v = &lines(&out)[0];
    assert_eq!(v["kind"], "auth");
    assert!(v["code"].as_str().is_some_and(|c| c.contains('[')));
}

/// The `json` blocks and the `--explain` example of the README's section on the tool.
fn readme_cli_examples() -> (String, String, Value) {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("## The command-line tool")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    let blocks: Vec<&str> = section
        .split("```json\n")
        .skip(1)
        .map(|b| b.split("\n```").next().unwrap())
        .collect();
    let explain = section
        .split("`--explain` adds `\"evidence\"`: `{\"basis\",\"rule\",\"path\",\"value\"}`, for example\n  `")
        .nth(1)
        .and_then(|s| s.split('`').next())
        .unwrap();
    (
        blocks[0].to_string(),
        blocks[1].to_string(),
        serde_json::from_str(explain).unwrap(),
    )
}

#[test]
fn the_readme_examples_are_what_the_tool_prints() {
    let (input, output, evidence) = readme_cli_examples();
    let out = run(&["classify"], format!("{input}\n").as_bytes());
    assert!(out.status.success());
    let want: Value = serde_json::from_str(&output).unwrap();
    assert_eq!(lines(&out), vec![want], "the README's classify example");
    // The --explain example: MiniMax's 1004 in base_resp.
    let line = r#"{"status": 200, "body": "{\"base_resp\":{\"status_code\":1004,\"status_msg\":\"login fail\"}}"}"#;
    let out = run(&["classify", "--explain"], format!("{line}\n").as_bytes());
    assert_eq!(
        lines(&out)[0]["evidence"],
        evidence,
        "the README's --explain example"
    );
}
