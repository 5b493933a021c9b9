package io.gantry.policy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The policy file: promotion policy bindings written in YAML. The server loads one at start and the CLI sends
 * one with {@code gantry policy set --file policy.yaml}; both read it here, so they agree on every detail.
 *
 * <pre>{@code
 * bindings:
 *   - models: "nyc-taxi-*"      # a model name, or a glob: * any run of characters, ? one character
 *     alias: champion
 *     purpose: promote           # optional: promote (default), rollback, remove
 *     policies:                  # evaluated in this order; [] removes the binding
 *       - type: signature-required
 *       - type: metric-threshold
 *         params: {metric: rmse, dataset: test, op: "<=", value: 5.6}
 * roles:                         # optional: role bindings (docs/access.md)
 *   - subject: group:taxi-team   # user:, group:, cert:, jwt: or token:NAME
 *     role: publisher            # viewer, publisher, approver, auditor, admin
 *     models: "nyc-taxi-*"
 *     aliases: [staging]         # optional, for publishers and approvers
 * webhooks:                      # optional: webhooks (docs/webhooks.md)
 *   - id: argo-prod              # webhooks/argo-prod
 *     url: https://argo.internal/hooks/gantry
 *     events: [io.gantry.alias.moved]   # optional: every type when absent
 *     models: "nyc-taxi-*"       # optional: every model when absent
 *     secret_file: /run/secrets/argo-webhook   # the whsec_ secret the receiver checks signatures with
 *     description: Argo CD       # optional
 * }</pre>
 *
 * <h2>Structure</h2>
 *
 * <ul>
 *   <li>The top level is a map with the key {@code bindings}: a list, possibly empty; and optionally {@code roles},
 *       a list of role bindings, each with {@code subject}, {@code role}, {@code models} (strings, required) and
 *       {@code aliases} (a list of strings, optional). Role bindings are only read by {@link #parseRoles}.
 *   <li>Optionally {@code webhooks}, a list of webhooks, each with {@code id}, {@code url}, {@code secret_file}
 *       (strings, required), {@code events} (a list of strings), {@code models} and {@code description} (strings,
 *       optional). Webhooks are only read by {@link #parseWebhooks}.
 *   <li>A binding has {@code models} (a string, required), {@code alias} (a string, required), {@code purpose}
 *       (optional: {@code promote}, the default, {@code rollback} or {@code remove}) and {@code policies} (a
 *       list, required; an empty list asks the server to remove the binding).
 *   <li>A policy has {@code type} (a string, required) and {@code params} (a map with string keys, optional).
 *   <li>An unknown key, a key written twice in one map, and two bindings of the same models, alias and purpose
 *       are errors.
 * </ul>
 *
 * <p>Only the structure is checked here. Whether a policy type exists and its params are right is decided by
 * {@link Policies#create}, and whether a pattern or an alias is well formed by the server, when the binding is
 * set; here they only need to be non-blank strings. Every error is a {@link PolicyFileException} naming the
 * file, the line and the element: {@code policy.yaml:7: bindings[1].policies[0]: unknown key 'parms' (known:
 * type, params)}.
 *
 * <h2>Values</h2>
 *
 * <p>Params hold what YAML 1.1 decodes, as SnakeYAML reads it with its safe constructor: {@code 5.6} is a
 * {@link Double}, {@code 2} an {@link Integer} ({@link Long} or {@link java.math.BigInteger} when larger),
 * {@code true} a {@link Boolean}, {@code ~} or nothing {@code null}, and lists and maps keep their order. Some
 * YAML 1.1 rules surprise, so:
 *
 * <ul>
 *   <li>A date or timestamp such as {@code 2024-01-01} stays the string as written, never a
 *       {@link java.util.Date}; durations such as {@code 0s} or {@code 24h} are strings anyway.
 *   <li>{@code yes}, {@code no}, {@code on} and {@code off} (also capitalized or upper case) are booleans;
 *       {@code 010} is the octal 8, {@code 1_000} is 1000 and {@code 1:30} is 90. Quote them to keep the text.
 *   <li>Quote comparison operators. {@code <=}, {@code <} and {@code ==} happen to read as text, but a leading
 *       {@code >} starts a block of text and a leading {@code !} a tag: unquoted {@code >=} is a syntax error,
 *       {@code !=} an unknown tag, and a lone {@code >} or {@code |} (an empty block) is refused rather than
 *       read as an empty string.
 *   <li>Where a string is required ({@code models}, {@code alias}, {@code purpose}, {@code type}, keys), any
 *       other scalar is refused with a hint to quote it; it is not turned back into text.
 *   <li>Anchors, aliases and merge keys ({@code <<}) work. Other explicit tags ({@code !!binary},
 *       {@code !!set}, {@code !custom}) are refused, so no Java type is ever chosen by the file.
 * </ul>
 */
public final class PolicyFile {

  /**
   * One policy of a binding, unvalidated: {@link Policies#create} checks it when the binding is set.
   *
   * @param params the parameters in the order written; never null, unmodifiable, and values may be null
   */
  public record PolicySpec(String type, Map<String, Object> params) {
    public PolicySpec {
      params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
  }

  /**
   * The policies bound to an alias on every model whose name matches a pattern.
   *
   * @param purpose {@code promote}, {@code rollback} or {@code remove}
   * @param policies in the order they are evaluated; empty asks the server to remove the binding
   */
  public record Binding(String modelPattern, String alias, String purpose, List<PolicySpec> policies) {
    public Binding {
      policies = List.copyOf(policies);
    }
  }

  /**
   * A role given to a subject on the models a pattern matches, unvalidated: the server checks it when it grants it.
   *
   * @param aliases for publishers and approvers, the only aliases they may act on; empty for all
   */
  public record RoleGrant(String subject, String role, String modelPattern, List<String> aliases) {
    public RoleGrant {
      aliases = List.copyOf(aliases);
    }
  }

  /**
   * A webhook as the file states it, unvalidated: the server checks it when it applies it.
   *
   * @param events the CloudEvents types sent; empty for all
   * @param modelPattern empty for every model
   * @param secretFile where the webhook's secret is, relative paths from the server's working directory
   */
  public record WebhookSpec(String id, String url, List<String> events, String modelPattern, String secretFile,
      String description) {
    public WebhookSpec {
      events = List.copyOf(events);
    }
  }

  private static final List<String> TOP_LEVEL_KEYS = List.of("bindings", "roles", "webhooks");
  private static final List<String> WEBHOOK_KEYS = List.of("id", "url", "events", "models", "secret_file",
      "description");
  private static final List<String> ROLE_KEYS = List.of("subject", "role", "models", "aliases");
  private static final List<String> BINDING_KEYS = List.of("models", "alias", "purpose", "policies");
  private static final List<String> POLICY_KEYS = List.of("type", "params");
  // The first is the default.
  private static final List<String> PURPOSES = List.of("promote", "rollback", "remove");

  private final String source;
  private final ScalarConstructor scalars;
  // An alias can make a collection contain itself; copying one would never end.
  private final Set<Node> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());

  private PolicyFile(String source) {
    this.source = source;
    LoaderOptions options = new LoaderOptions();
    options.setMergeOnCompose(true);
    this.scalars = new ScalarConstructor(options);
  }

  /**
   * Reads the bindings of a policy file, in file order.
   *
   * @param yamlText the file's content
   * @param sourceName the file's name for messages, such as {@code policy.yaml}
   * @throws PolicyFileException for malformed YAML or a structure other than the one described above
   */
  public static List<Binding> parse(String yamlText, String sourceName) {
    return new PolicyFile(sourceName).read(yamlText);
  }

  /**
   * Reads the role bindings of a policy file (its {@code roles} key), in file order; the whole file is checked as
   * {@link #parse} checks it.
   *
   * @throws PolicyFileException as {@link #parse} does, and for a malformed role binding
   */
  public static List<RoleGrant> parseRoles(String yamlText, String sourceName) {
    PolicyFile file = new PolicyFile(sourceName);
    file.read(yamlText);
    Node root = file.compose(yamlText);
    NodeTuple roles = file.entries(root, "", TOP_LEVEL_KEYS).get("roles");
    if (roles == null) {
      return List.of();
    }
    List<Node> items = file.list(roles.getValueNode(), "roles");
    List<RoleGrant> grants = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      grants.add(file.roleGrant(items.get(i), "roles[" + i + "]"));
    }
    return List.copyOf(grants);
  }

  /**
   * Reads the webhooks of a policy file (its {@code webhooks} key), in file order; the whole file is checked as
   * {@link #parse} checks it.
   *
   * @throws PolicyFileException as {@link #parse} does, and for a malformed webhook
   */
  public static List<WebhookSpec> parseWebhooks(String yamlText, String sourceName) {
    PolicyFile file = new PolicyFile(sourceName);
    file.read(yamlText);
    Node root = file.compose(yamlText);
    NodeTuple webhooks = file.entries(root, "", TOP_LEVEL_KEYS).get("webhooks");
    if (webhooks == null) {
      return List.of();
    }
    List<Node> items = file.list(webhooks.getValueNode(), "webhooks");
    List<WebhookSpec> specs = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      specs.add(file.webhook(items.get(i), "webhooks[" + i + "]"));
    }
    return List.copyOf(specs);
  }

  private WebhookSpec webhook(Node node, String path) {
    Map<String, NodeTuple> entries = entries(node, path, WEBHOOK_KEYS);
    String id = string(required(entries, "id", node, path), path + ".id");
    String url = string(required(entries, "url", node, path), path + ".url");
    String secretFile = string(required(entries, "secret_file", node, path), path + ".secret_file");
    return new WebhookSpec(id, url, strings(entries, "events", path), optionalString(entries, "models", path),
        secretFile, optionalString(entries, "description", path));
  }

  private List<String> strings(Map<String, NodeTuple> entries, String key, String path) {
    List<String> values = new ArrayList<>();
    NodeTuple entry = entries.get(key);
    if (entry != null) {
      List<Node> items = list(entry.getValueNode(), path + "." + key);
      for (int i = 0; i < items.size(); i++) {
        values.add(string(items.get(i), path + "." + key + "[" + i + "]"));
      }
    }
    return values;
  }

  private String optionalString(Map<String, NodeTuple> entries, String key, String path) {
    NodeTuple entry = entries.get(key);
    return entry == null ? "" : string(entry.getValueNode(), path + "." + key);
  }

  private RoleGrant roleGrant(Node node, String path) {
    Map<String, NodeTuple> entries = entries(node, path, ROLE_KEYS);
    String subject = string(required(entries, "subject", node, path), path + ".subject");
    String role = string(required(entries, "role", node, path), path + ".role");
    String models = string(required(entries, "models", node, path), path + ".models");
    return new RoleGrant(subject, role, models, strings(entries, "aliases", path));
  }

  private List<Binding> read(String yamlText) {
    Node root = compose(yamlText);
    if (root == null) {
      throw new PolicyFileException(source, 1, "", "the file is empty; expected a map with the key 'bindings'");
    }
    if (!(root instanceof MappingNode) || !root.getTag().equals(Tag.MAP)) {
      throw error(root, "", "expected a map with the key 'bindings', found " + describe(root));
    }
    Map<String, NodeTuple> topLevel = entries(root, "", TOP_LEVEL_KEYS);
    List<Node> items = list(required(topLevel, "bindings", root, ""), "bindings");
    List<Binding> bindings = new ArrayList<>(items.size());
    Map<List<String>, Integer> firstIndexByKey = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "bindings[" + i + "]";
      Binding binding = binding(items.get(i), path);
      // The server keys a binding by these three, so a second one would silently replace the first.
      Integer first = firstIndexByKey.putIfAbsent(
          List.of(binding.modelPattern(), binding.alias(), binding.purpose()), i);
      if (first != null) {
        throw error(items.get(i), path, "a second binding of models '" + binding.modelPattern() + "', alias '"
            + binding.alias() + "', purpose " + binding.purpose() + "; the first is bindings[" + first
            + "] at line " + line(items.get(first)));
      }
      bindings.add(binding);
    }
    return List.copyOf(bindings);
  }

  private Node compose(String yamlText) {
    try {
      // Composing builds nodes with their marks; only scalars are ever constructed, by the safe constructor.
      return new Yaml(scalars).compose(new StringReader(yamlText));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new PolicyFileException(source, mark == null ? 1 : mark.getLine() + 1, "", syntaxError(e));
    } catch (YAMLException e) {
      throw new PolicyFileException(source, 1, "", "invalid YAML: " + e.getMessage());
    }
  }

  private Binding binding(Node node, String path) {
    Map<String, NodeTuple> entries = entries(node, path, BINDING_KEYS);
    String models = string(required(entries, "models", node, path), path + ".models");
    String alias = string(required(entries, "alias", node, path), path + ".alias");
    String purpose = PURPOSES.get(0);
    NodeTuple purposeEntry = entries.get("purpose");
    if (purposeEntry != null) {
      purpose = string(purposeEntry.getValueNode(), path + ".purpose");
      if (!PURPOSES.contains(purpose)) {
        throw error(purposeEntry.getValueNode(), path + ".purpose",
            "must be one of " + String.join(", ", PURPOSES) + ", got '" + purpose + "'");
      }
    }
    Node policiesNode = required(entries, "policies", node, path);
    if (isNull(policiesNode)) {
      // An empty value is as likely a mis-indented list as a wish to remove the binding; make removal explicit.
      throw error(policiesNode, path + ".policies",
          "expected a list, found no value; write 'policies: []' to remove the binding");
    }
    List<Node> items = list(policiesNode, path + ".policies");
    List<PolicySpec> policies = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      policies.add(policy(items.get(i), path + ".policies[" + i + "]"));
    }
    return new Binding(models, alias, purpose, policies);
  }

  private PolicySpec policy(Node node, String path) {
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)) {
      throw error(node, path, "expected a map, found " + describe(node) + "; write '- type: "
          + scalar.getValue() + "'");
    }
    Map<String, NodeTuple> entries = entries(node, path, POLICY_KEYS);
    String type = string(required(entries, "type", node, path), path + ".type");
    NodeTuple params = entries.get("params");
    if (params == null || isNull(params.getValueNode())) {
      return new PolicySpec(type, Map.of());
    }
    return new PolicySpec(type, map(params.getValueNode(), path + ".params"));
  }

  /** The entries of a map, refusing keys that are not strings, repeated, or not among {@code known}. */
  private Map<String, NodeTuple> entries(Node node, String path, List<String> known) {
    Map<String, NodeTuple> entries = entries(node, path);
    entries.forEach((key, tuple) -> {
      if (!known.contains(key)) {
        throw error(tuple.getKeyNode(), path,
            "unknown key '" + key + "' (known: " + String.join(", ", known) + ")");
      }
    });
    return entries;
  }

  private Map<String, NodeTuple> entries(Node node, String path) {
    if (!(node instanceof MappingNode mapping) || !node.getTag().equals(Tag.MAP)) {
      throw error(node, path, "expected a map, found " + describe(node));
    }
    Map<String, NodeTuple> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node key = tuple.getKeyNode();
      if (!(key instanceof ScalarNode scalar) || !key.getTag().equals(Tag.STR)) {
        throw error(key, path, "keys must be strings, found " + describe(key) + quoteHint(key));
      }
      NodeTuple first = entries.putIfAbsent(scalar.getValue(), tuple);
      if (first != null) {
        throw error(key, path, "duplicate key '" + scalar.getValue() + "' (first at line "
            + line(first.getKeyNode()) + ")");
      }
    }
    return entries;
  }

  private Node required(Map<String, NodeTuple> entries, String key, Node map, String path) {
    NodeTuple entry = entries.get(key);
    if (entry == null) {
      throw error(map, path, "missing key '" + key + "'");
    }
    return entry.getValueNode();
  }

  private List<Node> list(Node node, String path) {
    if (node instanceof SequenceNode sequence && node.getTag().equals(Tag.SEQ)) {
      return sequence.getValue();
    }
    throw error(node, path, "expected a list, found " + describe(node));
  }

  private String string(Node node, String path) {
    if (!(node instanceof ScalarNode scalar) || !node.getTag().equals(Tag.STR)) {
      throw error(node, path, "expected a string, found " + describe(node) + quoteHint(node));
    }
    rejectEmptyBlock(scalar, path);
    if (scalar.getValue().isBlank()) {
      throw error(node, path, "must not be blank");
    }
    return scalar.getValue();
  }

  private Map<String, Object> map(Node node, String path) {
    Map<String, Object> values = new LinkedHashMap<>();
    entries(node, path).forEach((key, tuple) -> values.put(key, value(tuple.getValueNode(), path + "." + key)));
    return Collections.unmodifiableMap(values);
  }

  private Object value(Node node, String path) {
    if (node instanceof ScalarNode scalar) {
      return scalar(scalar, path);
    }
    if (!node.getTag().equals(Tag.SEQ) && !node.getTag().equals(Tag.MAP)) {
      throw error(node, path, "unsupported YAML tag " + tagName(node.getTag()));
    }
    if (!inProgress.add(node)) {
      throw error(node, path, "an alias refers to the collection that contains it");
    }
    try {
      if (node instanceof SequenceNode) {
        List<Node> items = list(node, path);
        List<Object> values = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
          values.add(value(items.get(i), path + "[" + i + "]"));
        }
        return Collections.unmodifiableList(values);
      }
      return map(node, path);
    } finally {
      inProgress.remove(node);
    }
  }

  private Object scalar(ScalarNode scalar, String path) {
    Tag tag = scalar.getTag();
    rejectEmptyBlock(scalar, path);
    if (tag.equals(Tag.STR) || tag.equals(Tag.TIMESTAMP)) {
      return scalar.getValue();
    }
    if (tag.equals(Tag.NULL)) {
      return null;
    }
    if (!tag.equals(Tag.BOOL) && !tag.equals(Tag.INT) && !tag.equals(Tag.FLOAT)) {
      throw error(scalar, path, "unsupported YAML tag " + tagName(tag) + quoteHint(scalar));
    }
    Object value = scalars.construct(scalar);
    if (value == null) {
      throw error(scalar, path, "'" + scalar.getValue() + "' is not a valid " + tagName(tag));
    }
    return value;
  }

  // "op: >" reads as an empty block of text; sending "" would hide that the operator was never written.
  private void rejectEmptyBlock(ScalarNode scalar, String path) {
    ScalarStyle style = scalar.getScalarStyle();
    if (scalar.getValue().isEmpty() && (style == ScalarStyle.FOLDED || style == ScalarStyle.LITERAL)) {
      char indicator = style.getChar();
      throw error(scalar, path, "'" + indicator + "' starts a block of text, which is empty here; to mean the "
          + "character, quote it: \"" + indicator + "\"");
    }
  }

  private PolicyFileException error(Node node, String path, String problem) {
    return new PolicyFileException(source, line(node), path, problem);
  }

  private static int line(Node node) {
    return node.getStartMark().getLine() + 1;
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
  }

  private static String syntaxError(MarkedYAMLException e) {
    String context = e.getContext() == null ? "" : e.getContext();
    if (e.getProblem().contains("(TAB)")) {
      return "invalid YAML: a tab character; YAML indents with spaces only";
    }
    // SnakeYAML advises "Do not use > for indentation", which misleads when the character starts a value, and
    // quotes the offending character raw, even a line break.
    String problem = e.getProblem().replaceFirst("\\. \\(Do not use .+ for indentation\\)$", "")
        .replaceAll("\\p{Cntrl}", "");
    String hint = "";
    if (context.contains("block scalar") || problem.endsWith("cannot start any token")) {
      hint = "; quote a value that starts with a symbol, such as op: \">=\"";
    } else if (context.contains("alias") || problem.contains("undefined alias")) {
      hint = "; quote a value that starts with '*', such as models: \"*-taxi\"";
    } else if (context.contains("flow")) {
      hint = "; check that each { and [ is closed, and quote a value that starts with a symbol, such as op: \"!=\"";
    } else if (problem.startsWith("mapping values are not allowed")) {
      hint = "; quote a value that contains ': '";
    } else if (problem.startsWith("expected <block end>")) {
      hint = "; check the indentation";
    }
    if (context.isEmpty()) {
      return "invalid YAML: " + problem + hint;
    }
    if (problem.startsWith("but ")) {
      return "invalid YAML: " + context + ", " + problem + hint;
    }
    return "invalid YAML: " + problem + " (" + context + ")" + hint;
  }

  /** How a node reads in a message: "a list", "the integer 5", "the string \"x\"". */
  private static String describe(Node node) {
    Tag tag = node.getTag();
    if (node instanceof MappingNode) {
      return tag.equals(Tag.MAP) ? "a map" : "a map tagged " + tagName(tag);
    }
    if (node instanceof SequenceNode) {
      return tag.equals(Tag.SEQ) ? "a list" : "a list tagged " + tagName(tag);
    }
    String text = ((ScalarNode) node).getValue();
    if (tag.equals(Tag.NULL)) {
      return "no value";
    } else if (tag.equals(Tag.STR)) {
      return "the string \"" + text + "\"";
    } else if (tag.equals(Tag.INT)) {
      return "the integer " + text;
    } else if (tag.equals(Tag.FLOAT)) {
      return "the number " + text;
    } else if (tag.equals(Tag.BOOL)) {
      return "the boolean " + text;
    } else if (tag.equals(Tag.TIMESTAMP)) {
      return "the timestamp " + text;
    }
    return "a value tagged " + tagName(tag);
  }

  /** For a scalar YAML did not read as text, how to write it so that it is: yes becomes "yes". */
  private static String quoteHint(Node node) {
    if (!(node instanceof ScalarNode scalar) || node.getTag().equals(Tag.NULL) || node.getTag().equals(Tag.STR)) {
      return "";
    }
    String text = scalar.getValue();
    if (!node.getTag().startsWith(Tag.PREFIX)) {
      // An unknown tag is what a value starting with ! reads as, such as op: !=
      text = node.getTag().getValue() + (text.isEmpty() ? "" : " " + text);
    }
    return "; if it is text, quote it: \"" + text + "\"";
  }

  private static String tagName(Tag tag) {
    return tag.getValue().replace(Tag.PREFIX, "!!");
  }

  /** SafeConstructor's scalar rules, for the scalars of params: YAML 1.1 ints (1_000, 0x1F, 010), floats, bools. */
  private static final class ScalarConstructor extends SafeConstructor {

    ScalarConstructor(LoaderOptions options) {
      super(options);
    }

    /** Null when an explicit tag sits on text not of its kind, such as {@code !!int ten} or {@code !!bool maybe}. */
    Object construct(ScalarNode scalar) {
      try {
        return constructObject(scalar);
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
