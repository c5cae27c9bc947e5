use super::*;
use crate::cib::xml::{Element, Node};

// The integration tests' corpus reader and prerequisite checks, shared by path.
#[allow(dead_code)]
#[path = "../../tests/common/corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "../../tests/common/prereq.rs"]
mod prereq;

fn p(text: &str) -> Rule {
    match parse(text) {
        Ok(r) => r,
        Err(e) => panic!("{text:?}: {e}"),
    }
}

fn xml(src: &str) -> Element {
    Element::parse(src).expect("test XML parses")
}

fn attr(name: &str, op: AttrOp, value: &str) -> Expr {
    Expr::Attr { attribute: name.into(), op, value: value.into(), value_type: None, value_source: None }
}

fn not_defined(name: &str) -> Expr {
    Expr::Defined { attribute: name.into(), defined: false }
}

fn err(text: &str) -> RuleError {
    match parse(text) {
        Ok(r) => panic!("{text:?} parsed as {r:?}"),
        Err(e) => e,
    }
}

/// Every way in and out agrees: text → tree → text is a fixed point, and tree → XML → tree.
fn assert_round_trips(rule: &Rule) {
    let text = to_text(rule);
    assert_eq!(parse(&text).as_ref(), Ok(rule), "text {text:?}");
    assert_eq!(to_text(&p(&text)), text);
    let el = to_xml(rule, "r", &[("score", "INFINITY")]);
    assert_eq!(from_xml(&el).as_ref(), Ok(rule), "xml {}", el.to_xml());
    // Also after a trip through serialised XML.
    let again = Element::parse(&el.to_xml()).expect("our XML parses");
    assert_eq!(from_xml(&again).as_ref(), Ok(rule));
}

// ---------------------------------------------------------------------------------------
// What pcs 0.11.5 writes (`pcs -f cib.xml constraint location R rule ...`, checked by hand
// and by the `matches_real_pcs` test below).
// ---------------------------------------------------------------------------------------

#[test]
fn seed_rule_matches_pcs_exactly() {
    let rule = p("pingd lt 1 or not_defined pingd");
    assert_eq!(rule.expr, Expr::Or(vec![attr("pingd", AttrOp::Lt, "1"), not_defined("pingd")]));
    let el = to_xml(&rule, "location-rg-01-rule", &[("score", "-INFINITY")]);
    let pcs = xml(
        r#"<rule id="location-rg-01-rule" boolean-op="or" score="-INFINITY"><expression id="location-rg-01-rule-expr" operation="lt" attribute="pingd" value="1"/><expression id="location-rg-01-rule-expr-1" operation="not_defined" attribute="pingd"/></rule>"#,
    );
    assert_eq!(el, pcs);
    assert_eq!(
        el.to_xml(),
        "<rule id=\"location-rg-01-rule\" boolean-op=\"or\" score=\"-INFINITY\">\n  \
         <expression id=\"location-rg-01-rule-expr\" operation=\"lt\" attribute=\"pingd\" value=\"1\"/>\n  \
         <expression id=\"location-rg-01-rule-expr-1\" operation=\"not_defined\" attribute=\"pingd\"/>\n\
         </rule>\n"
    );
    assert_eq!(to_text(&rule), "pingd lt 1 or not_defined pingd");
}

/// Rule text, extra attributes, and what pcs wrote with rule id `location-R-rule`.
type PcsCase = (&'static str, &'static [(&'static str, &'static str)], &'static str);

const PCS_CASES: &[PcsCase] = &[
    (
        "pingd lt 1 or not_defined pingd and #uname eq node1",
        &[("score", "INFINITY")],
        r##"<rule id="location-R-rule" boolean-op="and" score="INFINITY">
          <rule id="location-R-rule-rule" boolean-op="or" score="0">
            <expression id="location-R-rule-rule-expr" operation="lt" attribute="pingd" value="1"/>
            <expression id="location-R-rule-rule-expr-1" operation="not_defined" attribute="pingd"/>
          </rule>
          <expression id="location-R-rule-expr" operation="eq" attribute="#uname" value="node1"/>
        </rule>"##,
    ),
    (
        "( a eq 1 and b eq 2 ) and c eq 3",
        &[("score", "INFINITY")],
        r#"<rule id="location-R-rule" boolean-op="and" score="INFINITY">
          <expression id="location-R-rule-expr" operation="eq" attribute="a" value="1"/>
          <expression id="location-R-rule-expr-1" operation="eq" attribute="b" value="2"/>
          <expression id="location-R-rule-expr-2" operation="eq" attribute="c" value="3"/>
        </rule>"#,
    ),
    (
        "a eq 1 or ( b eq 2 and c eq 3 ) or ( d eq 4 and e eq 5 )",
        &[("score", "INFINITY")],
        r#"<rule id="location-R-rule" boolean-op="or" score="INFINITY">
          <expression id="location-R-rule-expr" operation="eq" attribute="a" value="1"/>
          <rule id="location-R-rule-rule" boolean-op="and" score="0">
            <expression id="location-R-rule-rule-expr" operation="eq" attribute="b" value="2"/>
            <expression id="location-R-rule-rule-expr-1" operation="eq" attribute="c" value="3"/>
          </rule>
          <rule id="location-R-rule-rule-1" boolean-op="and" score="0">
            <expression id="location-R-rule-rule-1-expr" operation="eq" attribute="d" value="4"/>
            <expression id="location-R-rule-rule-1-expr-1" operation="eq" attribute="e" value="5"/>
          </rule>
        </rule>"#,
    ),
    (
        "a eq 1 and b eq 2 or c eq 3",
        &[("score", "INFINITY")],
        r#"<rule id="location-R-rule" boolean-op="or" score="INFINITY">
          <rule id="location-R-rule-rule" boolean-op="and" score="0">
            <expression id="location-R-rule-rule-expr" operation="eq" attribute="a" value="1"/>
            <expression id="location-R-rule-rule-expr-1" operation="eq" attribute="b" value="2"/>
          </rule>
          <expression id="location-R-rule-expr" operation="eq" attribute="c" value="3"/>
        </rule>"#,
    ),
    (
        "a eq integer 1",
        &[("score", "10"), ("role", "Promoted")],
        r#"<rule id="location-R-rule" role="Promoted" score="10">
          <expression id="location-R-rule-expr" operation="eq" attribute="a" type="integer" value="1"/>
        </rule>"#,
    ),
    (
        "date gt 2024-01-01",
        &[("score", "INFINITY")],
        r#"<rule id="location-R-rule" score="INFINITY">
          <date_expression id="location-R-rule-expr" operation="gt" start="2024-01-01"/>
        </rule>"#,
    ),
    (
        "date lt 2024-01-01T10:00",
        &[("score", "INFINITY")],
        r#"<rule id="location-R-rule" score="INFINITY">
          <date_expression id="location-R-rule-expr" operation="lt" end="2024-01-01T10:00"/>
        </rule>"#,
    ),
    (
        "date in_range 2024-01-01 to 2024-02-01",
        &[("score", "INFINITY")],
        r#"<rule id="location-R-rule" score="INFINITY">
          <date_expression id="location-R-rule-expr" operation="in_range" start="2024-01-01" end="2024-02-01"/>
        </rule>"#,
    ),
    (
        "date in_range 2024-01-01 to duration hours=3 months=2",
        &[("score", "INFINITY")],
        r#"<rule id="location-R-rule" score="INFINITY">
          <date_expression id="location-R-rule-expr" operation="in_range" start="2024-01-01">
            <duration id="location-R-rule-expr-duration" hours="3" months="2"/>
          </date_expression>
        </rule>"#,
    ),
    (
        "date-spec hours=9-16 weekdays=1-5 and a eq 1",
        &[("score", "INFINITY")],
        r#"<rule id="location-R-rule" boolean-op="and" score="INFINITY">
          <date_expression id="location-R-rule-expr" operation="date_spec">
            <date_spec id="location-R-rule-expr-datespec" hours="9-16" weekdays="1-5"/>
          </date_expression>
          <expression id="location-R-rule-expr-1" operation="eq" attribute="a" value="1"/>
        </rule>"#,
    ),
    (
        "a eq \"x y\"",
        &[("score", "INFINITY")],
        r#"<rule id="location-R-rule" score="INFINITY">
          <expression id="location-R-rule-expr" operation="eq" attribute="a" value="x y"/>
        </rule>"#,
    ),
    (
        "a eq string b or a eq version 1.2.3 or a eq number 1.5 or a gte 1 or defined a",
        &[("score-attribute", "pingd")],
        r#"<rule id="location-R-rule" boolean-op="or" score-attribute="pingd">
          <expression id="location-R-rule-expr" operation="eq" attribute="a" type="string" value="b"/>
          <expression id="location-R-rule-expr-1" operation="eq" attribute="a" type="version" value="1.2.3"/>
          <expression id="location-R-rule-expr-2" operation="eq" attribute="a" type="number" value="1.5"/>
          <expression id="location-R-rule-expr-3" operation="gte" attribute="a" value="1"/>
          <expression id="location-R-rule-expr-4" operation="defined" attribute="a"/>
        </rule>"#,
    ),
];

#[test]
fn xml_matches_what_pcs_writes() {
    for (text, extra, expected) in PCS_CASES {
        let el = to_xml(&p(text), "location-R-rule", extra);
        assert_eq!(el, xml(expected), "{text}:\n{}", el.to_xml());
        assert_eq!(from_xml(&el), Ok(p(text)));
    }
}

/// `pcs resource defaults set create id=set1 meta ... rule '...'` (pcs's newer rule code;
/// resource and op expressions only exist there).
#[test]
fn resource_and_op_expressions_match_pcs() {
    let el = to_xml(&p("op monitor or resource ::Dummy"), "set2-rule", &[("score", "INFINITY")]);
    let pcs = r#"<rule id="set2-rule" boolean-op="or" score="INFINITY">
          <op_expression id="set2-rule-op-monitor" name="monitor"/>
          <rsc_expression id="set2-rule-rsc-Dummy" type="Dummy"/>
        </rule>"#;
    assert_eq!(el, xml(pcs));
    let text = "resource ocf:pacemaker:Dummy and (resource ::Stateful or date gt 2024-01-01)";
    let el = to_xml(&p(text), "set1-rule", &[("score", "INFINITY")]);
    let pcs = r#"<rule id="set1-rule" boolean-op="and" score="INFINITY">
          <rsc_expression id="set1-rule-rsc-ocf-pacemaker-Dummy" class="ocf" provider="pacemaker" type="Dummy"/>
          <rule id="set1-rule-rule" boolean-op="or" score="0">
            <rsc_expression id="set1-rule-rule-rsc-Stateful" type="Stateful"/>
            <date_expression id="set1-rule-rule-expr" operation="gt" start="2024-01-01"/>
          </rule>
        </rule>"#;
    assert_eq!(el, xml(pcs));
    let op = p("op monitor interval=10s");
    assert_eq!(op.expr, Expr::Op { name: "monitor".into(), interval: Some("10s".into()) });
    assert_eq!(to_text(&op), "op monitor interval=10s");
}

#[test]
fn extra_attrs_follow_pcs_order_and_skip_id() {
    let el = to_xml(
        &p("a eq 1"),
        "x",
        &[("score-attribute", "s"), ("id", "nope"), ("boolean-op", "or"), ("role", "Promoted")],
    );
    let names: Vec<&str> = el.attrs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["id", "role", "score-attribute"]);
    assert_eq!(el.id(), Some("x"));
}

#[test]
fn generated_ids_avoid_taken_ids() {
    let taken = |id: &str| id == "r-expr" || id == "r-rule";
    let el = to_xml_avoiding(&p("a eq 1 and (b eq 2 or c eq 3)"), "r", &[], &taken);
    let mut ids = Vec::new();
    el.collect_ids(&mut ids);
    assert_eq!(ids, ["r", "r-expr-1", "r-rule-1", "r-rule-1-expr", "r-rule-1-expr-1"]);
}

// ---------------------------------------------------------------------------------------
// Grammar
// ---------------------------------------------------------------------------------------

/// pcs gives `and` and `or` the same precedence and groups from the left (both its legacy
/// parser in `pcs/rule.py`, used by `constraint location ... rule`, and the pyparsing one in
/// `pcs/lib/cib/rule/parser.py`); see the `a eq 1 and b eq 2 or c eq 3` case above for the
/// XML pcs writes.
#[test]
fn and_or_have_equal_precedence_left_to_right() {
    let (a, b, c, d) = (
        attr("a", AttrOp::Eq, "1"),
        attr("b", AttrOp::Eq, "2"),
        attr("c", AttrOp::Eq, "3"),
        attr("d", AttrOp::Eq, "4"),
    );
    let rule = p("a eq 1 or b eq 2 and c eq 3");
    assert_eq!(rule.expr, Expr::And(vec![Expr::Or(vec![a.clone(), b.clone()]), c.clone()]));
    assert_eq!(to_text(&rule), "(a eq 1 or b eq 2) and c eq 3");
    let rule = p("a eq 1 and b eq 2 or c eq 3 and d eq 4");
    assert_eq!(rule.expr, Expr::And(vec![Expr::Or(vec![Expr::And(vec![a.clone(), b.clone()]), c.clone()]), d.clone()]));
    assert_eq!(to_text(&rule), "((a eq 1 and b eq 2) or c eq 3) and d eq 4");
    let rule = p("a eq 1 or (b eq 2 and c eq 3)");
    assert_eq!(rule.expr, Expr::Or(vec![a.clone(), Expr::And(vec![b.clone(), c.clone()])]));
    assert_eq!(to_text(&rule), "a eq 1 or (b eq 2 and c eq 3)");
}

#[test]
fn groups_are_normalized() {
    let flat = p("a eq 1 and b eq 2 and c eq 3");
    assert_eq!(p("(a eq 1 and b eq 2) and c eq 3"), flat);
    assert_eq!(p("a eq 1 and (b eq 2 and (c eq 3))"), flat);
    assert_eq!(p("((a eq 1))").expr, attr("a", AttrOp::Eq, "1"));
    assert_eq!(p("").expr, Expr::And(vec![]));
    assert_eq!(p("  \n\t ").expr, Expr::And(vec![]));
    assert_eq!(to_text(&p("")), "");
    let odd = Rule { expr: Expr::Or(vec![Expr::And(vec![Expr::Or(vec![not_defined("x")])])]) };
    assert_eq!(to_text(&odd), "not_defined x");
}

#[test]
fn keywords_are_case_insensitive_like_pcs() {
    assert_eq!(p("pingd LT 1 OR Not_Defined pingd"), p("pingd lt 1 or not_defined pingd"));
    assert_eq!(p("DATE GT 2024-01-01").expr, Expr::DateGt("2024-01-01".into()));
    assert_eq!(to_text(&p("A Eq INTEGER 5")), "A eq integer 5");
}

#[test]
fn keyword_named_attributes_follow_pcs_longest_match() {
    // pcs reads these as node attribute comparisons, not as date/defined/op expressions.
    assert_eq!(p("date eq 5").expr, attr("date", AttrOp::Eq, "5"));
    assert_eq!(p("defined eq 1").expr, attr("defined", AttrOp::Eq, "1"));
    assert_eq!(p("op eq 1").expr, attr("op", AttrOp::Eq, "1"));
    assert_eq!(p("resource eq 1").expr, attr("resource", AttrOp::Eq, "1"));
    assert_eq!(p("defined eq").expr, Expr::Defined { attribute: "eq".into(), defined: true });
    let typed = p("date gt integer 5");
    assert!(matches!(typed.expr, Expr::Attr { value_type: Some(ValueType::Integer), .. }));
    assert_eq!(to_text(&typed), "\"date\" gt integer 5");
    assert_eq!(p("date gt 2024-01-01").expr, Expr::DateGt("2024-01-01".into()));
    // A quoted `date` is always an attribute.
    assert_eq!(p("\"date\" gt 5").expr, attr("date", AttrOp::Gt, "5"));
    assert_eq!(to_text(&p("\"date\" gt 5")), "\"date\" gt 5");
}

#[test]
fn quoting_round_trips() {
    for value in [
        "x y",
        "",
        "and",
        "OR",
        "string",
        "param",
        "a(b)",
        "it's",
        "say \"hi\"",
        "both ' and \"",
        "back\\slash",
        "tab\there",
        "ünïcödé",
        "#uname",
    ] {
        let rule = Rule {
            expr: Expr::Attr {
                attribute: value.to_string(),
                op: AttrOp::Ne,
                value: value.to_string(),
                value_type: None,
                value_source: None,
            },
        };
        assert_round_trips(&rule);
    }
    assert_eq!(to_text(&p("a eq 'x y'")), "a eq \"x y\"");
    assert_eq!(to_text(&p("a eq \"say \\\"hi\\\"\"")), "a eq 'say \"hi\"'");
    assert_eq!(to_text(&p("#uname eq node1")), "#uname eq node1");
    assert_eq!(to_text(&p("a eq \"and\" and defined \"or\"")), "a eq \"and\" and defined \"or\"");
    assert_eq!(to_text(&p("op \"eq\" interval=10s")), "op \"eq\" interval=10s");
}

#[test]
fn value_source_extension() {
    let rule = p("#uname eq param node_param or #uname eq string meta m");
    assert_eq!(
        rule.expr,
        Expr::Or(vec![
            Expr::Attr {
                attribute: "#uname".into(),
                op: AttrOp::Eq,
                value: "node_param".into(),
                value_type: None,
                value_source: Some("param".into()),
            },
            Expr::Attr {
                attribute: "#uname".into(),
                op: AttrOp::Eq,
                value: "m".into(),
                value_type: Some(ValueType::String),
                value_source: Some("meta".into()),
            },
        ])
    );
    assert_round_trips(&rule);
    // Alone, `param` is the literal word, as in pcs.
    assert_eq!(p("a eq param").expr, attr("a", AttrOp::Eq, "param"));
    assert_eq!(to_text(&p("a eq param")), "a eq \"param\"");
    // No value check on a parameter name.
    assert!(parse("a lt integer param limit").is_ok());
    let el = to_xml(&p("a lt integer param limit"), "r", &[]);
    let e = el.elements().next().expect("one expression");
    assert_eq!(e.attr("value-source"), Some("param"));
    assert_eq!(e.attr("type"), Some("integer"));
}

#[test]
fn date_forms() {
    assert_eq!(
        p("date in_range to duration months=2").expr,
        Expr::DateInRange { start: None, end: None, duration: Some(vec![("months".into(), "2".into())]) }
    );
    assert_eq!(
        p("date-spec weekdays=1-5 hours=9-16").expr,
        Expr::DateSpec(vec![("hours".into(), "9-16".into()), ("weekdays".into(), "1-5".into())])
    );
    assert_eq!(to_text(&p("date-spec weekdays=1-5 hours=9-16")), "date-spec hours=9-16 weekdays=1-5");
    assert_eq!(to_text(&p("date gt \"2019-09-23 05:00:00 -05:00\"")), "date gt \"2019-09-23 05:00:00 -05:00\"");
    let rule = p("date in_range 2024-01-01 to duration years=1 and date-spec minutes=0-29");
    assert_round_trips(&rule);
}

#[test]
fn many_rules_round_trip() {
    let texts = [
        "pingd lt 1 or not_defined pingd",
        "(#uname eq node1 or #uname eq node2) and date gt 2024-01-01",
        "a eq 1 or (b eq 2 and (c eq 3 or d eq 4)) or e eq 5",
        "defined a and not_defined b and a ne c",
        "a lt integer -5 or a gt number 1.5e3 or a lte version 1.2.3 or a gte string x",
        "date in_range 2024-01-01 to 2024-12-31",
        "date in_range to 2024-12-31",
        "date in_range 2024-01-01T00:00:00Z to duration days=1 hours=12",
        "date-spec years=2020-2030 months=1 monthdays=1-15 hours=0 minutes=0-30 seconds=59 \
         weekdays=7 weeks=1-53 weekyears=2024 yeardays=1-366 moon=0-7",
        "resource ocf:heartbeat:IPaddr2 or resource ::Dummy or resource systemd:: or resource ::",
        "op monitor interval=10s and op start and op \"my check\" interval=0",
        "date lt 2030-01-01 and (op monitor or resource stonith::fence_xvm)",
        "a eq 'x (y)' or b eq \"\"",
        "",
    ];
    for text in texts {
        let rule = p(text);
        assert_round_trips(&rule);
    }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

#[test]
fn errors_point_at_the_token() {
    let e = err("pingd");
    assert_eq!(e.message, "expected an operator after `pingd`");
    assert_eq!((e.offset, e.len), (5, 0));
    assert!(e.help.as_deref().is_some_and(|h| h.contains("`lte`") && h.contains("`ne`")));

    let e = err("pingd le 1");
    assert_eq!(e.message, "expected an operator after `pingd`");
    assert_eq!((e.offset, e.len), (6, 2));
    assert!(e.help.as_deref().is_some_and(|h| h.starts_with("did you mean `lte`?")), "{e:?}");

    let e = err("pingd != 1");
    assert!(e.help.as_deref().is_some_and(|h| h.starts_with("did you mean `ne`?")));

    let e = err("datespec hours=9");
    assert!(e.help.as_deref().is_some_and(|h| h.contains("`date-spec`")), "{e:?}");

    let e = err("pingd not_defined");
    assert_eq!(e.help.as_deref(), Some("write `not_defined pingd`"));

    let e = err("(a eq 1");
    assert_eq!((e.message.as_str(), e.offset, e.len), ("unclosed `(`", 0, 1));

    let e = err("a eq 1)");
    assert_eq!((e.message.as_str(), e.offset, e.len), ("unmatched `)`", 6, 1));

    let e = err("a eq 1 and");
    assert_eq!((e.message.as_str(), e.offset, e.len), ("expected an expression after `and`", 10, 0));

    let e = err("a eq 1 adn b eq 2");
    assert_eq!((e.offset, e.len), (7, 3));
    assert_eq!(e.help.as_deref(), Some("did you mean `and`?"));

    let e = err("a eq hello world");
    assert_eq!(e.message, "unexpected `world` after an expression");
    assert_eq!((e.offset, e.len), (11, 5));

    let e = err("a eq integer x");
    assert_eq!((e.message.as_str(), e.offset, e.len), ("`x` is not an integer", 13, 1));

    let e = err("a eq integer");
    assert_eq!(e.message, "expected a value after `integer`");

    let e = err("a eq and b eq 1");
    assert_eq!(e.message, "expected a value after `eq`, found `and`");
    assert_eq!((e.offset, e.len), (5, 3));

    let e = err("date gt tomorrow");
    assert_eq!((e.message.as_str(), e.offset, e.len), ("`tomorrow` is not an ISO 8601 date", 8, 8));

    let e = err("date hours=9");
    assert!(e.help.as_deref().is_some_and(|h| h.contains("date-spec")));

    let e = err("date-spec hours=25");
    assert_eq!((e.offset, e.len), (16, 2));
    assert!(e.message.contains("out of range"), "{e:?}");

    let e = err("date-spec hour=9");
    assert_eq!(e.message, "unknown date-spec part `hour`");
    assert_eq!((e.offset, e.len), (10, 4));
    assert!(e.help.as_deref().is_some_and(|h| h.starts_with("did you mean `hours`?")));

    let e = err("date-spec hours=9 hours=10");
    assert_eq!((e.message.as_str(), e.offset), ("`hours` is given twice", 18));

    let e = err("date-spec hours = 9");
    assert_eq!(e.message, "expected `hours=VALUE`");

    let e = err("date-spec");
    assert_eq!((e.offset, e.len), (9, 0));

    let e = err("date in_range 2024-01-01 2024-02-01");
    assert_eq!(e.message, "expected `to` after `2024-01-01`");
    assert_eq!(e.offset, 25);

    let e = err("date in_range 2024-01-01 to duration");
    assert_eq!(e.message, "expected duration parts after `duration`");

    let e = err("op monitor interval = 10s");
    assert_eq!((e.message.as_str(), e.offset), ("expected `interval=VALUE`", 11));

    let e = err("op monitor interval=ten");
    assert_eq!(e.message, "invalid interval `ten`");
    assert_eq!((e.offset, e.len), (20, 3));

    let e = err("resource ocf:IPaddr2");
    assert_eq!((e.offset, e.len), (9, 11));

    let e = err("a eq \"x");
    assert_eq!((e.message.as_str(), e.offset, e.len), ("unterminated quoted value", 5, 1));

    let e = err("()");
    assert_eq!((e.message.as_str(), e.offset, e.len), ("empty parentheses", 0, 2));

    let e = err("and a eq 1");
    assert_eq!(e.message, "expected an expression before `and`");

    let e = err("not defined a");
    assert_eq!(e.message, "`not` is not supported");

    let e = err("a eq 1 (b eq 2)");
    assert_eq!((e.offset, e.len), (7, 1));
}

#[test]
fn error_messages_are_lowercase_without_period() {
    let inputs = [
        "pingd",
        "(",
        ")",
        "a",
        "a eq",
        "date",
        "date gt",
        "date in_range",
        "date-spec x=1",
        "resource",
        "op",
        "defined",
        "a eq 1 or",
        "a eq 1 b",
        "\"",
        "date in_range to",
    ];
    for input in inputs {
        let e = err(input);
        let first = e.message.chars().next().unwrap_or('a');
        assert!(!first.is_uppercase() && !e.message.ends_with('.'), "{input:?}: {e:?}");
        assert!(e.offset + e.len <= input.len(), "{input:?}: {e:?}");
        assert!(input.is_char_boundary(e.offset), "{input:?}: {e:?}");
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = format!("{}a eq 1{}", "(".repeat(10_000), ")".repeat(10_000));
    let e = err(&deep);
    assert_eq!(e.message, "parentheses are nested too deeply");
    assert_eq!(e.offset, MAX_DEPTH);
    let unbalanced = "(".repeat(10_000);
    assert!(parse(&unbalanced).is_err());
    assert!(parse(&")".repeat(10_000)).is_err());
    let ok = format!("{}a eq 1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_eq!(p(&ok).expr, attr("a", AttrOp::Eq, "1"));

    // Alternating operators keep every level as a nested group.
    let mut text = "x eq 0".to_string();
    for i in 0..MAX_DEPTH {
        let op = if i % 2 == 0 { "and" } else { "or" };
        text = format!("a{i} eq 1 {op} ({text})");
    }
    let rule = p(&text);
    assert_round_trips(&rule);
    let too_deep = format!("a eq 1 and (b eq 1 or ({text}))");
    assert!(parse(&too_deep).is_err());

    // Deeply nested XML is refused too.
    let mut el = Element::new("rule").with_child(Element::new("expression"));
    for _ in 0..1000 {
        el = Element::new("rule").with_attr("boolean-op", "or").with_child(el);
    }
    assert!(from_xml(&el).is_err());
}

/// A small deterministic generator of token soup: nothing may panic, and whatever parses
/// must print as text that parses to the same tree, and survive XML.
#[test]
fn token_soup_never_panics_and_round_trips() {
    const WORDS: &[&str] = &[
        "a",
        "#uname",
        "eq",
        "ne",
        "lt",
        "gte",
        "and",
        "or",
        "AND",
        "(",
        ")",
        "defined",
        "not_defined",
        "date",
        "gt",
        "in_range",
        "to",
        "duration",
        "months=2",
        "hours=9-16",
        "date-spec",
        "resource",
        "ocf::Dummy",
        "op",
        "monitor",
        "interval=10s",
        "integer",
        "string",
        "param",
        "meta",
        "5",
        "2024-01-01",
        "\"x y\"",
        "'('",
        "\"and\"",
        "ü",
        "\"",
        "=",
        "le",
        "not",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut parsed = 0;
    for _ in 0..20_000 {
        let n = (next() % 9) as usize;
        let text: Vec<&str> = (0..n).map(|_| WORDS[(next() % WORDS.len() as u64) as usize]).collect();
        let text = text.join(if next() % 5 == 0 { "" } else { " " });
        match parse(&text) {
            Ok(rule) => {
                parsed += 1;
                assert_round_trips(&rule);
            }
            Err(e) => {
                assert!(e.offset + e.len <= text.len(), "{text:?}: {e:?}");
                assert!(text.is_char_boundary(e.offset), "{text:?}: {e:?}");
                assert!(text.is_char_boundary(e.offset + e.len), "{text:?}: {e:?}");
            }
        }
    }
    assert!(parsed > 100, "only {parsed} parsed");
}

// ---------------------------------------------------------------------------------------
// Reading the CIB
// ---------------------------------------------------------------------------------------

#[test]
fn equivalent_cib_rules_read_the_same() {
    let pcs = xml(
        r#"<rule id="location-rg-01-rule" boolean-op="or" score="-INFINITY"><expression id="location-rg-01-rule-expr" operation="lt" attribute="pingd" value="1"/><expression id="location-rg-01-rule-expr-1" operation="not_defined" attribute="pingd"/></rule>"#,
    );
    // What crmsh 4 writes for `crm configure location loc-rg R rule -inf: pingd lt 1 or
    // not_defined pingd` (attribute order and ids differ).
    let crmsh = xml(r#"<rule score="-INFINITY" boolean-op="or" id="loc-rg-rule">
             <expression operation="lt" attribute="pingd" value="1" id="loc-rg-rule-expression"/>
             <expression operation="not_defined" attribute="pingd" id="loc-rg-rule-expression-0"/>
           </rule>"#);
    // crmsh leaves boolean-op out for `and`, and writes date-spec parts in its own order.
    let crmsh_and = xml(r##"<rule score="100" id="loc2-rule">
             <expression operation="eq" attribute="#uname" value="n1" id="loc2-rule-expression"/>
             <date_expression operation="gt" start="2024-01-01" id="loc2-rule-expression-0"/>
           </rule>"##);
    assert_eq!(from_xml(&crmsh_and), Ok(p("#uname eq n1 and date gt 2024-01-01")));
    let crmsh_spec = xml(r#"<rule score="100" id="loc3-rule">
             <date_expression operation="date_spec" id="loc3-rule-expression">
               <date_spec weekdays="1-5" hours="9-16" id="loc3-rule-expression-date_spec"/>
             </date_expression>
           </rule>"#);
    assert_eq!(from_xml(&crmsh_spec), Ok(p("date-spec hours=9-16 weekdays=1-5")));
    let seed = p("pingd lt 1 or not_defined pingd");
    assert_eq!(from_xml(&pcs), Ok(seed.clone()));
    assert_eq!(from_xml(&crmsh), Ok(seed));

    // One member: boolean-op does not matter, and absent means "and".
    let one = p("#uname eq node1");
    for op in [" boolean-op=\"and\"", " boolean-op=\"or\"", ""] {
        let el = xml(&format!(
            r##"<rule id="r" score="5"{op}>
                 <expression id="e" attribute="#uname" operation="eq" value="node1"/>
               </rule>"##
        ));
        assert_eq!(from_xml(&el), Ok(one.clone()));
    }
    let absent = xml(
        r#"<rule id="r"><expression id="e1" attribute="a" operation="eq" value="1"/><expression id="e2" attribute="b" operation="eq" value="2"/></rule>"#,
    );
    assert_eq!(from_xml(&absent), Ok(p("a eq 1 and b eq 2")));

    // Nested rules with the same operator (pcs's newer code writes `(a and b) and c` so)
    // and single-member nested rules read as their flat form.
    let nested = xml(r#"<rule id="r" boolean-op="and" score="INFINITY">
             <rule id="r-rule" boolean-op="and" score="0">
               <expression id="e1" attribute="a" operation="eq" value="1"/>
               <expression id="e2" attribute="b" operation="eq" value="2"/>
             </rule>
             <rule id="r-rule-1" boolean-op="or" score="0">
               <expression id="e3" attribute="c" operation="eq" value="3"/>
             </rule>
           </rule>"#);
    assert_eq!(from_xml(&nested), Ok(p("a eq 1 and b eq 2 and c eq 3")));

    // value-source="literal" is the default; date-spec attribute order does not matter.
    let literal = xml(
        r#"<rule id="r"><expression id="e" attribute="a" operation="eq" value="1" value-source="literal"/></rule>"#,
    );
    assert_eq!(from_xml(&literal), Ok(p("a eq 1")));
    let spec = xml(
        r#"<rule id="r"><date_expression id="d" operation="date_spec"><date_spec id="s" weekdays="1-5" hours="9-16"/></date_expression></rule>"#,
    );
    assert_eq!(from_xml(&spec), Ok(p("date-spec hours=9-16 weekdays=1-5")));

    // The empty rule.
    assert_eq!(from_xml(&xml(r#"<rule id="r" score="INFINITY"/>"#)), Ok(p("")));
}

#[test]
fn unrepresentable_cib_rules_are_refused() {
    let cases = [
        (r#"<rule id-ref="other"/>"#, "id-ref"),
        (r#"<rule id="r"><!-- why --><expression id="e" attribute="a" operation="defined"/></rule>"#, "comment"),
        (r#"<rule id="r" boolean-op="or"/>"#, "never true"),
        (
            r#"<rule id="r" boolean-op="xor"><expression id="e" attribute="a" operation="defined"/></rule>"#,
            "boolean-op",
        ),
        (
            r#"<rule id="r"><rule id="n" role="Promoted"><expression id="e" attribute="a" operation="defined"/></rule></rule>"#,
            "role",
        ),
        (r#"<rule id="r"><rule id="n"/></rule>"#, "empty"),
        (r#"<rule id="r"><foo id="f"/></rule>"#, "<foo>"),
        (r#"<rule id="r" bogus="1"><expression id="e" attribute="a" operation="defined"/></rule>"#, "bogus"),
        (r#"<rule id="r"><expression id="e" attribute="a" operation="eq"/></rule>"#, "no `value`"),
        (r#"<rule id="r"><expression id="e" attribute="a" operation="defined" value="1"/></rule>"#, "`value`"),
        (
            r#"<rule id="r"><expression id="e" attribute="a" operation="eq" value="x" type="integer"/></rule>"#,
            "not an integer",
        ),
        (r#"<rule id="r"><expression id="e" attribute="a" operation="eq" value="x" type="float"/></rule>"#, "type"),
        (r#"<rule id="r"><expression id="e" attribute="a" operation="regex" value="x"/></rule>"#, "operation"),
        (
            r#"<rule id="r"><expression id="e" attribute="a" operation="eq" value="x" value-source="env"/></rule>"#,
            "value-source",
        ),
        (
            r#"<rule id="r"><date_expression id="d" operation="in_range" start="2024-01-01" end="2024-02-01"><duration id="u" months="1"/></date_expression></rule>"#,
            "both",
        ),
        (r#"<rule id="r"><date_expression id="d" operation="in_range" start="2024-01-01"/></rule>"#, "without an end"),
        (
            r#"<rule id="r"><date_expression id="d" operation="gt" start="2024-01-01" end="2025-01-01"/></rule>"#,
            "`end`",
        ),
        (r#"<rule id="r"><date_expression id="d" operation="date_spec"/></rule>"#, "no <date_spec>"),
        (
            r#"<rule id="r"><date_expression id="d" operation="date_spec"><date_spec id="s"/></date_expression></rule>"#,
            "empty",
        ),
        (
            r#"<rule id="r"><date_expression id="d" operation="date_spec"><date_spec id="s" yearsdays="1"/></date_expression></rule>"#,
            "yearsdays",
        ),
        (r#"<rule id="r"><rsc_expression id="x" class="a:b"/></rule>"#, "class"),
        (r#"<rule id="r"><op_expression id="x" name="monitor" interval="1 s"/></rule>"#, "interval"),
        (r#"<expression id="e" attribute="a" operation="defined"/>"#, "<rule>"),
    ];
    for (src, needle) in cases {
        match from_xml(&xml(src)) {
            Ok(r) => panic!("{src} read as {r:?}"),
            Err(e) => assert!(e.contains(needle), "{src}: {e}"),
        }
    }
}

#[test]
fn whitespace_text_between_elements_is_fine() {
    let mut el = to_xml(&p("a eq 1 or b eq 2"), "r", &[]);
    el.children.insert(0, Node::Text("\n   ".into()));
    assert_eq!(from_xml(&el), Ok(p("a eq 1 or b eq 2")));
}

/// Every top-level `<rule>` of the scheduler regression CIBs: no panics, and whatever
/// converts survives text and XML round trips.
#[test]
fn corpus_rules_convert() {
    let (mut ok, mut failed, mut nested_ok) = (0, 0, 0);
    let mut reasons: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for cib in corpus::cibs() {
        let root = Element::parse(&cib.text).unwrap_or_else(|e| panic!("{}: {e:?}", cib.name));
        let mut rules = Vec::new();
        collect_rules(&root, false, &mut rules);
        for (rule_el, nested) in rules {
            match from_xml(rule_el) {
                Ok(rule) => {
                    if nested {
                        nested_ok += 1;
                        continue;
                    }
                    ok += 1;
                    assert_round_trips(&rule);
                }
                Err(e) if !nested => {
                    failed += 1;
                    let key = e.split_once(": ").map_or(e.as_str(), |(_, m)| m).to_string();
                    reasons.entry(key).or_default().push(format!("{}: {e}", cib.name));
                }
                Err(_) => {}
            }
        }
    }
    eprintln!("corpus: {ok} top-level rules convert, {failed} do not ({nested_ok} nested rules also convert alone)");
    for (reason, cases) in &reasons {
        eprintln!("  {} x {reason}", cases.len());
        for c in cases.iter().take(3) {
            eprintln!("      {c}");
        }
    }
    assert!(ok > 0);
}

fn collect_rules<'a>(el: &'a Element, in_rule: bool, out: &mut Vec<(&'a Element, bool)>) {
    let is_rule = el.name == "rule";
    if is_rule {
        out.push((el, in_rule));
    }
    for child in el.elements() {
        collect_rules(child, in_rule || is_rule, out);
    }
}

/// Compare with the real pcs (about a second per rule).
#[test]
#[ignore = "needs pacemaker tools: pcs, cibadmin"]
fn matches_real_pcs() {
    use std::process::Command;
    prereq::need_tools(&["pcs", "cibadmin"]);
    let dir = std::env::temp_dir().join(format!("rulecrate-pcs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let base = dir.join("base.xml");
    let empty = Command::new("cibadmin").arg("--empty").output().expect("cibadmin runs");
    std::fs::write(&base, &empty.stdout).expect("write base");
    let status = Command::new("pcs")
        .arg("-f")
        .arg(&base)
        .args(["resource", "create", "R", "ocf:pacemaker:Dummy"])
        .output()
        .expect("pcs runs");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let texts = [
        "pingd lt 1 or not_defined pingd",
        "pingd lt 1 or not_defined pingd and #uname eq node1",
        "( a eq 1 and b eq 2 ) and c eq 3 or ( d eq 4 or e eq 5 ) and f eq 6",
        "a eq 1 or ( b eq 2 and ( c eq 3 or d eq 4 ) ) or ( e eq 5 and f eq 6 )",
        "a eq integer 1 and b lt number -1.5 and c gte version 1.2 and d ne string x",
        "a eq \"x y\" or defined b",
        "date gt 2024-01-01 or date lt 2023-01-01",
        "date in_range 2024-01-01 to 2024-02-01",
        "date in_range 2024-01-01 to duration hours=3 months=2",
        "date-spec hours=9-16 weekdays=1-5 and date-spec moon=1",
    ];
    for text in texts {
        let file = dir.join("t.xml");
        std::fs::copy(&base, &file).expect("copy");
        let argv: Vec<String> = super::lex::lex(text)
            .expect("lexes")
            .into_iter()
            .map(|t| match t.kind {
                super::lex::Kind::Open => "(".to_string(),
                super::lex::Kind::Close => ")".to_string(),
                super::lex::Kind::Word { text, .. } => text,
            })
            .collect();
        let out = Command::new("pcs")
            .arg("-f")
            .arg(&file)
            .args(["constraint", "location", "R", "rule", "score=-INFINITY"])
            .args(&argv)
            .output()
            .expect("pcs runs");
        assert!(out.status.success(), "{text}: {}", String::from_utf8_lossy(&out.stderr));
        let cib = xml(&std::fs::read_to_string(&file).expect("read"));
        let pcs_rule = cib.find_id("location-R-rule").expect("pcs wrote the rule");
        let ours = to_xml(&p(text), "location-R-rule", &[("score", "-INFINITY")]);
        assert_eq!(&ours, pcs_rule, "{text}\nours:\n{}\npcs:\n{}", ours.to_xml(), pcs_rule.to_xml());
        assert_eq!(from_xml(pcs_rule), Ok(p(text)));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same verdicts as Pacemaker's own parser, which pcs asks (`iso8601 -d`).
#[test]
#[ignore = "needs pacemaker tools: iso8601"]
fn dates_agree_with_pacemakers_iso8601() {
    prereq::need_tools(&["iso8601"]);
    let samples = [
        "2024-02-29",
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-04-31",
        "2000-02-29",
        "1900-02-29",
        "20240228",
        "20240230",
        "2020-W53-1",
        "2024-W53-1",
        "2026-W53-4",
        "2024-W01-8",
        "2024-366",
        "2023-366",
        "2024-02-28 25:00:00",
        "2024-02-28 24:00:00",
        "2024-02-28T23:59:60",
        "2024-02-28T10:61",
        "2024-02-28T10:30",
        "2024",
        "2019-09-23 18:00:00 -05:00",
    ];
    for s in samples {
        let pacemaker = std::process::Command::new("iso8601").args(["-d", s]).output().unwrap().status.success();
        assert_eq!(super::check::date(s).is_ok(), pacemaker, "`{s}`: Pacemaker says {pacemaker}");
    }
}
