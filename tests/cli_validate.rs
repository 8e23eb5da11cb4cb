//! `phonetoken normalize --valid-only`, `--with-type` and `--with-region`, in line and CSV
//! mode. The expected types and regions are phonenumbers 9.0.35's `number_type` and
//! `region_code_for_number` of the same numbers.
#![cfg(feature = "cli")]

mod support;

use support::{run, run_text};

const NUMBERS: &[u8] =
    b"+44 20 7946 0958\n+1 201 555 0123\n+800 1234 5678\n+44 10 7946 0958\n+44 7797 123456\nnope\n";

#[test]
fn types_and_regions_follow_the_number_after_tabs() {
    let (out, err) = run_text(&["normalize", "--with-type", "--with-region"], NUMBERS);
    assert_eq!(
        out,
        "+442079460958\tFIXED_LINE\tGB\n\
         +12015550123\tFIXED_LINE_OR_MOBILE\tUS\n\
         +80012345678\tTOLL_FREE\t001\n\
         +441079460958\tUNKNOWN\t\n\
         +447797123456\tMOBILE\tJE\n\
         error: no-digits\n"
    );
    assert!(err.contains("6 lines, 1 failed"), "{err}");
    let (only_type, _) = run_text(&["normalize", "--with-type"], b"+44 7797 123456\n");
    assert_eq!(only_type, "+447797123456\tMOBILE\n");
}

#[test]
fn valid_only_refuses_possible_numbers_outside_the_plan() {
    let (out, err) = run_text(&["normalize", "--valid-only"], NUMBERS);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "+442079460958",
            "+12015550123",
            "+80012345678",
            "error: invalid-number",
            "+447797123456",
            "error: no-digits"
        ]
    );
    assert!(err.contains("invalid-number: 1"), "{err}");
    // Without it, the same number is possible, so it is normalized.
    let (plain, _) = run_text(&["normalize"], b"+44 10 7946 0958\n");
    assert_eq!(plain, "+441079460958\n");
    let (_, strict) = run(
        &["normalize", "--valid-only", "--strict"],
        b"+44 20 7946 0958\n+44 10 7946 0958\n",
        1,
    );
    assert!(strict.contains("line 2: invalid-number"), "{strict}");
}

#[test]
fn csv_mode_adds_a_column_per_field_and_processed_column() {
    let input = b"id,home,work\n1,+44 20 7946 0958,+800 1234 5678\n2,+44 10 7946 0958,\n";
    let (out, _) = run_text(
        &[
            "normalize",
            "--csv",
            "--column",
            "home",
            "--column",
            "work",
            "--with-type",
            "--with-region",
            "--valid-only",
        ],
        input,
    );
    assert_eq!(
        out,
        "id,home,work,home_type,home_region,work_type,work_region,phonetoken_error\n\
         1,+442079460958,+80012345678,FIXED_LINE,GB,TOLL_FREE,001,\n\
         2,,,,,,,home: invalid-number\n"
    );
    // Appended output columns come first, then the added fields.
    let (out, _) = run_text(
        &[
            "normalize",
            "--csv",
            "--column",
            "home",
            "--output-column",
            "e164",
            "--with-type",
        ],
        b"home\n+44 7797 123456\n",
    );
    assert_eq!(
        out,
        "home,e164,home_type,phonetoken_error\n+44 7797 123456,+447797123456,MOBILE,\n"
    );
    // A header that already has the added column's name is refused.
    let (_, err) = run(
        &["normalize", "--csv", "--column", "home", "--with-type"],
        b"home,home_type\n1,2\n",
        2,
    );
    assert!(
        err.contains("home_type") || err.contains("<column>_type"),
        "{err}"
    );
}
