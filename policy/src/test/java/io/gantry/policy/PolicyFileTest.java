package io.gantry.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.policy.PolicyFile.Binding;
import io.gantry.policy.PolicyFile.PolicySpec;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyFileTest {

  // Surefire runs with the module directory as the working directory.
  private static final Path CHAMPION_EXAMPLE = Path.of("../docs/examples/champion-policy.yaml");

  private static List<Binding> parse(String yaml) {
    return PolicyFile.parse(yaml, "policy.yaml");
  }

  /** The params of the only policy of the only binding of a file whose params are {@code paramsYaml}. */
  private static Map<String, Object> params(String paramsYaml) {
    List<Binding> bindings = parse("""
        bindings:
          - models: m
            alias: champion
            policies:
              - type: cel
                params:
        """ + paramsYaml.indent(10));
    return bindings.get(0).policies().get(0).params();
  }

  @Test
  void roles_areReadInOrder_withTheirAliases_andIgnoredByTheBindingReader() {
    String yaml = """
        bindings: []
        roles:
          - subject: group:taxi-team
            role: publisher
            models: "nyc-taxi-*"
            aliases: [staging, canary]
          - {subject: "user:rita", role: auditor, models: "*"}
        """;
    assertThat(PolicyFile.parse(yaml, "p.yaml")).isEmpty();
    assertThat(PolicyFile.parseRoles(yaml, "p.yaml")).containsExactly(
        new PolicyFile.RoleGrant("group:taxi-team", "publisher", "nyc-taxi-*", List.of("staging", "canary")),
        new PolicyFile.RoleGrant("user:rita", "auditor", "*", List.of()));
    assertThat(PolicyFile.parseRoles("bindings: []\n", "p.yaml")).isEmpty();
  }

  @Test
  void aMalformedRole_isRefusedNamingTheElementAndLine() {
    assertThatThrownBy(() -> PolicyFile.parseRoles("bindings: []\nroles:\n  - {subject: user:bob, models: x}\n",
        "p.yaml")).isInstanceOf(PolicyFileException.class).hasMessage("p.yaml:3: roles[0]: missing key 'role'");
    assertThatThrownBy(() -> PolicyFile.parseRoles(
        "bindings: []\nroles:\n  - {subject: user:bob, role: viewer, models: x, alias: y}\n", "p.yaml"))
        .isInstanceOf(PolicyFileException.class).hasMessageContaining("unknown key 'alias'");
  }

  @Test
  void webhooks_areReadInOrder_withTheirDefaults_andIgnoredByTheOtherReaders() {
    String yaml = """
        bindings: []
        webhooks:
          - id: argo-prod
            url: https://argo.internal/hooks/gantry
            events: [io.gantry.alias.moved, io.gantry.promotion.applied]
            models: "fraud-*"
            secret_file: /run/secrets/argo
            description: Argo CD
          - {id: audit-sink, url: "http://sink:8080/", secret_file: sink.secret}
        """;
    assertThat(PolicyFile.parse(yaml, "p.yaml")).isEmpty();
    assertThat(PolicyFile.parseRoles(yaml, "p.yaml")).isEmpty();
    assertThat(PolicyFile.parseWebhooks(yaml, "p.yaml")).containsExactly(
        new PolicyFile.WebhookSpec("argo-prod", "https://argo.internal/hooks/gantry",
            List.of("io.gantry.alias.moved", "io.gantry.promotion.applied"), "fraud-*", "/run/secrets/argo", "Argo CD"),
        new PolicyFile.WebhookSpec("audit-sink", "http://sink:8080/", List.of(), "", "sink.secret", ""));
    assertThat(PolicyFile.parseWebhooks("bindings: []\n", "p.yaml")).isEmpty();
    assertThatThrownBy(() -> PolicyFile.parseWebhooks("bindings: []\nwebhooks:\n  - {id: x, url: http://h/}\n",
        "p.yaml")).isInstanceOf(PolicyFileException.class)
        .hasMessage("p.yaml:3: webhooks[0]: missing key 'secret_file'");
    assertThatThrownBy(() -> PolicyFile.parseWebhooks(
        "bindings: []\nwebhooks:\n  - {id: x, url: http://h/, secret_file: s, secret: whsec_x}\n", "p.yaml"))
        .isInstanceOf(PolicyFileException.class).hasMessageContaining("unknown key 'secret'");
  }

  @Test
  void championExample_holdsThePromoteRollbackAndRemoveBindings() throws IOException {
    List<Binding> bindings = PolicyFile.parse(Files.readString(CHAMPION_EXAMPLE), "champion-policy.yaml");

    List<String> reviewers = List.of("alice", "bob", "dana");
    assertThat(bindings).containsExactly(
        new Binding("nyc-taxi-*", "champion", "promote", List.of(
            new PolicySpec("signature-required", Map.of()),
            new PolicySpec("signature-compatible", Map.of()),
            new PolicySpec("metric-threshold", Map.of("metric", "rmse", "dataset", "test", "op", "<=", "value", 5.6)),
            new PolicySpec("beats-current",
                Map.of("metric", "rmse", "dataset", "test", "direction", "lower", "min_delta", 0)),
            new PolicySpec("required-tags", Map.of("keys", List.of("git_commit", "data_version"))),
            new PolicySpec("dependencies-pinned", Map.of()),
            new PolicySpec("prior-alias", Map.of("alias", "staging", "min_duration", "0s")),
            new PolicySpec("approvals", Map.of("count", 2, "approvers", reviewers)))),
        new Binding("nyc-taxi-*", "champion", "rollback", List.of(
            new PolicySpec("signature-required", Map.of()),
            new PolicySpec("approvals", Map.of("count", 1, "approvers", reviewers)))),
        new Binding("nyc-taxi-*", "champion", "remove", List.of(
            new PolicySpec("approvals", Map.of("count", 2, "approvers", reviewers)))));
  }

  @Test
  void championExample_everyPolicyIsAcceptedByTheRealFactories() throws IOException {
    Policies policies = Policies.discover();
    List<String> created = new ArrayList<>();

    for (Binding binding : PolicyFile.parse(Files.readString(CHAMPION_EXAMPLE), "champion-policy.yaml")) {
      for (PolicySpec spec : binding.policies()) {
        created.add(binding.purpose() + ":" + policies.create(spec.type(), spec.params()).type());
      }
    }

    assertThat(created).containsExactly("promote:signature-required", "promote:signature-compatible",
        "promote:metric-threshold", "promote:beats-current", "promote:required-tags",
        "promote:dependencies-pinned", "promote:prior-alias", "promote:approvals",
        "rollback:signature-required", "rollback:approvals", "remove:approvals");
  }

  @Test
  void parse_defaultsPurposeToPromote_andParamsToEmpty() {
    List<Binding> bindings = parse("""
        bindings:
          - models: fraud-?
            alias: champion
            policies:
              - type: signature-required
              - type: dependencies-pinned
                params:
        """);

    assertThat(bindings).containsExactly(new Binding("fraud-?", "champion", "promote", List.of(
        new PolicySpec("signature-required", Map.of()), new PolicySpec("dependencies-pinned", Map.of()))));
  }

  @Test
  void parse_keepsAnEmptyPolicyList_whichRemovesTheBinding() {
    assertThat(parse("bindings: [{models: m, alias: champion, purpose: rollback, policies: []}]"))
        .containsExactly(new Binding("m", "champion", "rollback", List.of()));
  }

  @Test
  void parse_acceptsAFileWithNoBindings() {
    assertThat(parse("bindings: []")).isEmpty();
  }

  @Test
  void parse_allowsTheSameModelsAndAliasForDifferentPurposes() {
    List<Binding> bindings = parse("""
        bindings:
          - {models: m, alias: champion, policies: []}
          - {models: m, alias: champion, purpose: rollback, policies: []}
          - {models: "m*", alias: champion, policies: []}
          - {models: m, alias: staging, policies: []}
        """);

    assertThat(bindings).hasSize(4);
  }

  @Test
  void params_keepYamlNumberAndBooleanTypes() {
    Map<String, Object> params = params("""
        value: 5.6
        count: 2
        big: 3000000000
        huge: 99999999999999999999
        whole_double: 2.0
        exponent: 1e3
        underscored: 1_000
        octal: 010
        enabled: true
        yes_is_boolean: yes
        capitalized_off: Off
        quoted_yes: "yes"
        """);

    assertThat(params).containsExactly(
        Map.entry("value", 5.6),
        Map.entry("count", 2),
        Map.entry("big", 3_000_000_000L),
        Map.entry("huge", new BigInteger("99999999999999999999")),
        Map.entry("whole_double", 2.0),
        Map.entry("exponent", 1000.0),
        Map.entry("underscored", 1000),
        Map.entry("octal", 8),
        Map.entry("enabled", true),
        Map.entry("yes_is_boolean", true),
        Map.entry("capitalized_off", false),
        Map.entry("quoted_yes", "yes"));
    assertThat(params.get("value")).isInstanceOf(Double.class);
    assertThat(params.get("count")).isInstanceOf(Integer.class);
  }

  @Test
  void params_keepDurationsDatesAndTimestampsAsTheTextWritten() {
    Map<String, Object> params = params("""
        min_duration: 0s
        iso: PT24H
        since: 2024-01-01
        at: 2024-01-01T12:30:00Z
        """);

    assertThat(params).containsExactly(
        Map.entry("min_duration", "0s"),
        Map.entry("iso", "PT24H"),
        Map.entry("since", "2024-01-01"),
        Map.entry("at", "2024-01-01T12:30:00Z"));
  }

  @Test
  void params_readUnquotedOperatorsThatYamlTakesAsText() {
    assertThat(params("{a: <=, b: <, c: ==, d: \">=\", e: \">\", f: \"!=\"}"))
        .containsExactly(Map.entry("a", "<="), Map.entry("b", "<"), Map.entry("c", "=="),
            Map.entry("d", ">="), Map.entry("e", ">"), Map.entry("f", "!="));
  }

  @Test
  void params_keepNestedListsMapsAndNulls_inOrder() {
    Map<String, Object> params = params("""
        patterns: {zeta: "[0-9a-f]{40}", alpha: "v\\\\d+"}
        keys: [zeta, alpha]
        nothing: ~
        expression: |
          candidate.metrics.test.rmse < 5.6
        """);

    assertThat(params).containsOnlyKeys("patterns", "keys", "nothing", "expression");
    assertThat(params.keySet()).containsExactly("patterns", "keys", "nothing", "expression");
    assertThat(List.copyOf(((Map<?, ?>) params.get("patterns")).keySet())).isEqualTo(List.of("zeta", "alpha"));
    assertThat(params.get("patterns")).isEqualTo(Map.of("zeta", "[0-9a-f]{40}", "alpha", "v\\d+"));
    assertThat(params.get("keys")).isEqualTo(List.of("zeta", "alpha"));
    assertThat(params.get("nothing")).isNull();
    assertThat(params.get("expression")).isEqualTo("candidate.metrics.test.rmse < 5.6\n");
  }

  @Test
  void params_followAnchorsAliasesAndMergeKeys() {
    List<Binding> bindings = parse("""
        bindings:
          - models: m
            alias: champion
            policies:
              - type: metric-threshold
                params: &rmse {metric: rmse, dataset: test, op: "<=", value: 5.6}
              - type: metric-threshold
                params: {<<: *rmse, dataset: validation}
        """);

    assertThat(bindings.get(0).policies().get(1).params())
        .isEqualTo(Map.of("metric", "rmse", "dataset", "validation", "op", "<=", "value", 5.6));
  }

  @Test
  void params_areUnmodifiable_allTheWayDown() {
    Map<String, Object> params = params("{keys: [a], patterns: {a: x}}");

    assertThatThrownBy(() -> params.put("keys", List.of())).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ((List<?>) params.get("keys")).clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ((Map<?, ?>) params.get("patterns")).clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void policySpec_copiesItsParams_andTreatsNullAsNone() {
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("b", 1);
    source.put("a", null);
    PolicySpec spec = new PolicySpec("t", source);
    source.put("c", 3);

    assertThat(spec.params().keySet()).containsExactly("b", "a");
    assertThat(new PolicySpec("t", null).params()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badStructures")
  void parse_refusesABadStructure_namingLineAndElement(String name, String yaml, int line, String message) {
    PolicyFileException e = catchThrowableOfType(() -> parse(yaml), PolicyFileException.class);

    assertThat(e).as("no exception for %s", name).isNotNull();
    assertThat(e.getMessage()).isEqualTo("policy.yaml:" + line + ": " + message);
    assertThat(e.line()).isEqualTo(line);
    assertThat(e.source()).isEqualTo("policy.yaml");
  }

  static Stream<Arguments> badStructures() {
    return Stream.of(
        bad("empty file", "", 1, "the file is empty; expected a map with the key 'bindings'"),
        bad("only comments", "# nothing yet\n", 1, "the file is empty; expected a map with the key 'bindings'"),
        bad("a list at the top", "- models: m\n", 1, "expected a map with the key 'bindings', found a list"),
        bad("a string at the top", "bindings\n", 1,
            "expected a map with the key 'bindings', found the string \"bindings\""),
        bad("no bindings key", "{}\n", 1, "missing key 'bindings'"),
        bad("an unknown top-level key", "bindings: []\nbinding: []\n", 2,
            "unknown key 'binding' (known: bindings, roles, webhooks)"),
        bad("bindings is a map", "bindings:\n  models: m\n", 2, "bindings: expected a list, found a map"),
        bad("bindings has no value", "bindings:\n", 1, "bindings: expected a list, found no value"),
        bad("a binding is a string", "bindings:\n  - champion\n", 2,
            "bindings[0]: expected a map, found the string \"champion\""),
        bad("the brief's example", """
            bindings:
              - models: m
                alias: staging
                policies: []
              - models: m
                alias: champion
                policies:
                  - type: metric-threshold
                    parms: {metric: rmse}
            """, 9, "bindings[1].policies[0]: unknown key 'parms' (known: type, params)"),
        bad("an unknown binding key", """
            bindings:
              - models: m
                alias: champion
                purpse: rollback
                policies: []
            """, 4, "bindings[0]: unknown key 'purpse' (known: models, alias, purpose, policies)"),
        bad("no models", "bindings:\n  - alias: champion\n    policies: []\n", 2, "bindings[0]: missing key 'models'"),
        bad("no alias", "bindings:\n  - models: m\n    policies: []\n", 2, "bindings[0]: missing key 'alias'"),
        bad("no policies", "bindings:\n  - models: m\n    alias: champion\n", 2,
            "bindings[0]: missing key 'policies'"),
        bad("policies with no value", "bindings:\n  - models: m\n    alias: champion\n    policies:\n", 4,
            "bindings[0].policies: expected a list, found no value; write 'policies: []' to remove the binding"),
        bad("policies is a string", "bindings:\n  - {models: m, alias: champion, policies: approvals}\n", 2,
            "bindings[0].policies: expected a list, found the string \"approvals\""),
        bad("an alias that YAML reads as a boolean", "bindings:\n  - {models: m, alias: yes, policies: []}\n", 2,
            "bindings[0].alias: expected a string, found the boolean yes; if it is text, quote it: \"yes\""),
        bad("models that YAML reads as an integer", "bindings:\n  - {models: 2024, alias: a, policies: []}\n", 2,
            "bindings[0].models: expected a string, found the integer 2024; if it is text, quote it: \"2024\""),
        bad("an alias that YAML reads as a date", "bindings:\n  - {models: m, alias: 2024-01-01, policies: []}\n",
            2, "bindings[0].alias: expected a string, found the timestamp 2024-01-01; if it is text, quote it: "
                + "\"2024-01-01\""),
        bad("an alias that is a list", "bindings:\n  - {models: m, alias: [a, b], policies: []}\n", 2,
            "bindings[0].alias: expected a string, found a list"),
        bad("a blank alias", "bindings:\n  - {models: m, alias: \" \", policies: []}\n", 2,
            "bindings[0].alias: must not be blank"),
        bad("an empty models", "bindings:\n  - {models: \"\", alias: a, policies: []}\n", 2,
            "bindings[0].models: must not be blank"),
        bad("an unknown purpose", "bindings:\n  - models: m\n    alias: a\n    purpose: promotion\n    policies: []\n",
            4, "bindings[0].purpose: must be one of promote, rollback, remove, got 'promotion'"),
        bad("a policy written as a bare type", """
            bindings:
              - models: m
                alias: champion
                policies:
                  - signature-required
            """, 5, "bindings[0].policies[0]: expected a map, found the string \"signature-required\"; "
                + "write '- type: signature-required'"),
        bad("a policy without a type", "bindings:\n  - {models: m, alias: a, policies: [{params: {}}]}\n", 2,
            "bindings[0].policies[0]: missing key 'type'"),
        bad("a blank type", "bindings:\n  - {models: m, alias: a, policies: [{type: \"\"}]}\n", 2,
            "bindings[0].policies[0].type: must not be blank"),
        bad("params as a list", "bindings:\n  - models: m\n    alias: a\n    policies:\n      - type: t\n"
            + "        params: [rmse]\n", 6, "bindings[0].policies[0].params: expected a map, found a list"),
        bad("a params key that is not a string", "bindings:\n  - models: m\n    alias: a\n    policies:\n"
            + "      - type: t\n        params: {1: x}\n", 6,
            "bindings[0].policies[0].params: keys must be strings, found the integer 1; if it is text, quote it: "
                + "\"1\""),
        bad("a nested params key that is a boolean", "bindings:\n  - models: m\n    alias: a\n    policies:\n"
            + "      - type: t\n        params:\n          patterns: {on: x}\n", 7,
            "bindings[0].policies[0].params.patterns: keys must be strings, found the boolean on; "
                + "if it is text, quote it: \"on\""),
        bad("a key written twice in a binding", """
            bindings:
              - models: m
                alias: champion
                alias: staging
                policies: []
            """, 4, "bindings[0]: duplicate key 'alias' (first at line 3)"),
        bad("a key written twice in params", """
            bindings:
              - models: m
                alias: champion
                policies:
                  - type: metric-threshold
                    params:
                      value: 5.6
                      value: 6
            """, 8, "bindings[0].policies[0].params: duplicate key 'value' (first at line 7)"),
        bad("the same binding twice", """
            bindings:
              - models: "nyc-taxi-*"
                alias: champion
                policies: []
              - models: other
                alias: champion
                policies: []
              - models: "nyc-taxi-*"
                alias: champion
                purpose: promote
                policies: [{type: approvals}]
            """, 8, "bindings[2]: a second binding of models 'nyc-taxi-*', alias 'champion', purpose promote; "
                + "the first is bindings[0] at line 2"),
        bad("an unquoted lone >", "bindings:\n  - models: m\n    alias: a\n    policies:\n      - type: t\n"
            + "        params:\n          op: >\n          value: 5\n", 7,
            "bindings[0].policies[0].params.op: '>' starts a block of text, which is empty here; "
                + "to mean the character, quote it: \">\""),
        bad("an unquoted !=", "bindings:\n  - models: m\n    alias: a\n    policies:\n      - type: t\n"
            + "        params:\n          op: !=\n          value: 5\n", 7,
            "bindings[0].policies[0].params.op: unsupported YAML tag !=; if it is text, quote it: \"!=\""),
        bad("a custom tag on a type", "bindings:\n  - {models: m, alias: a, policies: [{type: !custom t}]}\n", 2,
            "bindings[0].policies[0].type: expected a string, found a value tagged !custom; "
                + "if it is text, quote it: \"!custom t\""),
        bad("binary in params", "bindings:\n  - {models: m, alias: a, policies: [{type: t, params: "
            + "{x: !!binary aGk=}}]}\n", 2,
            "bindings[0].policies[0].params.x: unsupported YAML tag !!binary; if it is text, quote it: \"aGk=\""),
        bad("a set in params", "bindings:\n  - {models: m, alias: a, policies: [{type: t, params: "
            + "{x: !!set {a, b}}}]}\n", 2, "bindings[0].policies[0].params.x: unsupported YAML tag !!set"),
        bad("an explicit tag on the wrong text", "bindings:\n  - {models: m, alias: a, policies: [{type: t, "
            + "params: {count: !!int ten}}]}\n", 2, "bindings[0].policies[0].params.count: 'ten' is not a valid !!int"),
        bad("a list that contains itself", "bindings:\n  - models: m\n    alias: a\n    policies:\n"
            + "      - type: t\n        params: {x: &loop [1, *loop]}\n", 6,
            "bindings[0].policies[0].params.x[1]: an alias refers to the collection that contains it"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedYaml")
  void parse_refusesMalformedYaml_withTheLineAndAHint(String name, String yaml, int line, String fragment) {
    PolicyFileException e = catchThrowableOfType(() -> parse(yaml), PolicyFileException.class);

    assertThat(e).as("no exception for %s", name).isNotNull();
    assertThat(e.getMessage()).startsWith("policy.yaml:" + line + ": invalid YAML: ").contains(fragment);
    assertThat(e.line()).isEqualTo(line);
    assertThat(e.path()).isEmpty();
  }

  static Stream<Arguments> malformedYaml() {
    return Stream.of(
        bad("a tab-indented line", "bindings:\n  - models: m\n\talias: a\n", 3,
            "a tab character; YAML indents with spaces only"),
        bad("an unclosed flow list", "bindings:\n  - models: [m\n    alias: a\n", 3, "expected ',' or ']'"),
        bad("an unclosed quote", "bindings:\n  - models: \"m\n", 3, "found unexpected end of stream"),
        bad("bad indentation", "bindings:\n  - models: m\n    alias: a\n   policies: []\n", 4,
            "check the indentation"),
        bad("an unquoted >= in a block", "bindings:\n  - models: m\n    alias: a\n    policies:\n"
            + "      - type: t\n        params:\n          op: >=\n", 7,
            "quote a value that starts with a symbol, such as op: \">=\""),
        bad("an unquoted >= in braces", "bindings:\n  - models: m\n    alias: a\n    policies:\n"
            + "      - type: t\n        params: {op: >=, value: 5.6}\n", 6,
            "found character '>' that cannot start any token"),
        bad("an unquoted != in braces", "bindings:\n  - models: m\n    alias: a\n    policies:\n"
            + "      - type: t\n        params: {op: !=, value: 5.6}\n", 6,
            "check that each { and [ is closed, and quote a value that starts with a symbol, such as op: \"!=\""),
        bad("an unquoted pattern starting with *", "bindings:\n  - models: *-taxi\n", 2,
            "quote a value that starts with '*', such as models: \"*-taxi\""),
        bad("a lone unquoted *", "bindings:\n  - models: *\n", 2,
            "unexpected character found (10) (while scanning an alias); quote a value that starts with '*'"),
        bad("a colon inside a plain value", "bindings:\n  - models: m\n    alias: a\n    policies:\n"
            + "      - type: cel\n        params:\n          message: note: rmse too high\n", 7,
            "mapping values are not allowed here; quote a value that contains ': '"),
        bad("two documents", "bindings: []\n---\nbindings: []\n", 2,
            "expected a single document in the stream, but found another document"));
  }

  private static Arguments bad(String name, String yaml, int line, String expected) {
    return Arguments.of(name, yaml, line, expected);
  }

  @Test
  void parse_namesTheSourceItWasGiven() {
    assertThatThrownBy(() -> PolicyFile.parse("bindings: 1", "/etc/gantry/policies.yaml"))
        .isInstanceOf(PolicyFileException.class)
        .hasMessage("/etc/gantry/policies.yaml:1: bindings: expected a list, found the integer 1");
  }

  @Test
  void parse_neverReturnsAMutableList() {
    List<Binding> bindings = parse("bindings: [{models: m, alias: a, policies: [{type: t}]}]");

    assertThatThrownBy(() -> bindings.add(bindings.get(0))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> bindings.get(0).policies().clear()).isInstanceOf(UnsupportedOperationException.class);
  }
}
