package io.gantry.server.mlflow;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.math.BigInteger;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
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
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * A YAML file composed into nodes rather than Java objects, so that every value keeps its line and
 * its text as written: {@code python: 3.10} stays "3.10", and an unquoted timestamp stays the
 * string MLflow wrote instead of becoming a date.
 */
final class YamlDocument {

  private static final int CODE_POINT_LIMIT = 4 * 1024 * 1024;
  // PyYAML emits anchors only for objects shared within one dump; real files have few or none.
  private static final int COLLECTION_ALIAS_LIMIT = 50;
  // Aliases can still multiply a large list; this bounds what copying into a Struct may expand to.
  // Real MLmodel files hold hundreds of values.
  private static final int VALUE_LIMIT = 100_000;

  private final Node root;
  private final ScalarConstructor scalars;
  private final Set<Node> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());
  private int values;

  private YamlDocument(Node root, ScalarConstructor scalars) {
    this.root = root;
    this.scalars = scalars;
  }

  /** Composes the single document of {@code text}; a syntax error is thrown as {@link Malformed}. */
  static YamlDocument compose(String text) {
    if (text.length() > CODE_POINT_LIMIT) {
      int characters = text.codePointCount(0, text.length());
      if (characters > CODE_POINT_LIMIT) {
        throw new Malformed(0, "the file has " + characters + " characters; the limit is "
            + CODE_POINT_LIMIT + " (4 MiB)");
      }
    }
    LoaderOptions options = new LoaderOptions();
    // Raises SnakeYAML's 3 MiB default to ours; its own check runs only between tokens, so a file
    // padded with comments would pass it, hence the exact count above.
    options.setCodePointLimit(CODE_POINT_LIMIT);
    options.setMaxAliasesForCollections(COLLECTION_ALIAS_LIMIT);
    options.setMergeOnCompose(true);
    try {
      Composer composer =
          new Composer(new ParserImpl(new StreamReader(text), options), new PyYamlResolver(), options);
      return new YamlDocument(composer.getSingleNode(), new ScalarConstructor(options));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new Malformed(mark == null ? 0 : mark.getLine() + 1, syntaxError(e));
    } catch (YAMLException e) {
      throw new Malformed(0, "invalid YAML: " + e.getMessage());
    }
  }

  private static String syntaxError(MarkedYAMLException e) {
    String problem = e.getProblem();
    if (problem.startsWith("expected <block end>")) {
      problem += "; check the indentation";
    }
    if (e.getContext() == null) {
      return "invalid YAML: " + problem;
    }
    if (problem.startsWith("but ")) {
      return "invalid YAML: " + e.getContext() + ", " + problem;
    }
    String where = e.getContextMark() == null ? "" : " at line " + (e.getContextMark().getLine() + 1);
    return "invalid YAML: " + problem + " (" + e.getContext() + where + ")";
  }

  /** A composed file and the entries of its top-level mapping, in file order. */
  record Root(YamlDocument yaml, Map<String, NodeTuple> entries) {}

  /** Reads the top-level mapping of {@code text}; when there is none, records why and returns null. */
  static Root root(String text, List<Malformed> problems) {
    try {
      YamlDocument yaml = compose(text);
      return new Root(yaml, entries(yaml.rootMapping(), ""));
    } catch (Malformed e) {
      problems.add(e);
      return null;
    }
  }

  /** The top-level mapping every MLflow YAML file has. */
  MappingNode rootMapping() {
    if (root instanceof MappingNode mapping) {
      return mapping;
    }
    if (root == null) {
      throw new Malformed(1, "expected a mapping at the top level, found an empty document");
    }
    throw new Malformed(line(root), "expected a mapping at the top level, found " + describe(root));
  }

  static int line(Node node) {
    return node.getStartMark().getLine() + 1;
  }

  /** The entries of a mapping by key, in file order. */
  static Map<String, NodeTuple> entries(MappingNode mapping, String path) {
    Map<String, NodeTuple> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node key = tuple.getKeyNode();
      if (!(key instanceof ScalarNode scalar)) {
        throw new Malformed(line(key), at(path) + "expected a key, found " + describe(key));
      }
      NodeTuple first = entries.putIfAbsent(scalar.getValue(), tuple);
      if (first != null) {
        throw new Malformed(line(key), at(path) + "duplicate key \"" + scalar.getValue()
            + "\" (first at line " + line(first.getKeyNode()) + ")");
      }
    }
    return entries;
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
  }

  /** Any scalar's text as written (MLflow's version strings may look like numbers); "" for null. */
  static String text(Node node, String path) {
    if (node instanceof ScalarNode scalar) {
      return isNull(node) ? "" : scalar.getValue();
    }
    throw new Malformed(line(node), at(path) + "expected a string, found " + describe(node));
  }

  /** A scalar that YAML reads as a string. */
  static String string(Node node, String path) {
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)) {
      return scalar.getValue();
    }
    throw new Malformed(line(node), at(path) + "expected a string, found " + describe(node));
  }

  /** The items of a list; none for null. */
  static List<Node> list(Node node, String path) {
    if (isNull(node)) {
      return List.of();
    }
    if (node instanceof SequenceNode sequence && sequence.getTag().equals(Tag.SEQ)) {
      return sequence.getValue();
    }
    throw new Malformed(line(node), at(path) + "expected a list, found " + describe(node));
  }

  static MappingNode mapping(Node node, String path) {
    if (node instanceof MappingNode mapping && mapping.getTag().equals(Tag.MAP)) {
      return mapping;
    }
    throw new Malformed(line(node), at(path) + "expected a mapping, found " + describe(node));
  }

  long nonNegativeLong(Node node, String path) {
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)) {
      Object number = scalars.construct(scalar);
      if (!(number instanceof BigInteger) && ((Number) number).longValue() >= 0) {
        return ((Number) number).longValue();
      }
    }
    throw new Malformed(
        line(node), at(path) + "expected a non-negative integer, found " + describe(node));
  }

  Struct struct(MappingNode mapping, String path) {
    return value(mapping, path).getStructValue();
  }

  /** Any node as a protobuf Value, with every key and value kept. */
  Value value(Node node, String path) {
    if (++values > VALUE_LIMIT) {
      throw new Malformed(line(node), at(path) + "more than " + VALUE_LIMIT
          + " values, counting each use of an alias");
    }
    if (node instanceof ScalarNode scalar) {
      return scalarValue(scalar, path);
    }
    if (!inProgress.add(node)) {
      throw new Malformed(line(node), at(path) + "an alias refers to the collection containing it");
    }
    try {
      if (node instanceof SequenceNode) {
        ListValue.Builder list = ListValue.newBuilder();
        List<Node> items = list(node, path);
        for (int i = 0; i < items.size(); i++) {
          list.addValues(value(items.get(i), path + "[" + i + "]"));
        }
        return Value.newBuilder().setListValue(list).build();
      }
      Struct.Builder struct = Struct.newBuilder();
      for (var entry : entries(mapping(node, path), path).entrySet()) {
        String key = entry.getKey();
        struct.putFields(key, value(entry.getValue().getValueNode(), join(path, key)));
      }
      return Value.newBuilder().setStructValue(struct).build();
    } finally {
      inProgress.remove(node);
    }
  }

  private Value scalarValue(ScalarNode scalar, String path) {
    Tag tag = scalar.getTag();
    if (tag.equals(Tag.NULL)) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    if (tag.equals(Tag.STR) || tag.equals(Tag.TIMESTAMP) || tag.equals(Tag.BINARY)) {
      return Value.newBuilder().setStringValue(scalar.getValue()).build();
    }
    if (tag.equals(Tag.BOOL)) {
      return Value.newBuilder().setBoolValue((Boolean) scalars.construct(scalar)).build();
    }
    if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
      double number = ((Number) scalars.construct(scalar)).doubleValue();
      return Value.newBuilder().setNumberValue(number).build();
    }
    throw new Malformed(line(scalar), at(path) + "unsupported YAML tag " + tagName(tag));
  }

  /** How a node reads in a message: "a list", "the integer 5", "the string \"x\"". */
  static String describe(Node node) {
    Tag tag = node.getTag();
    if (node instanceof MappingNode) {
      return tag.equals(Tag.MAP) ? "a mapping" : "a mapping tagged " + tagName(tag);
    }
    if (node instanceof SequenceNode) {
      return tag.equals(Tag.SEQ) ? "a list" : "a list tagged " + tagName(tag);
    }
    ScalarNode scalar = (ScalarNode) node;
    String text = scalar.getValue().length() > 60
        ? scalar.getValue().substring(0, 57) + "..."
        : scalar.getValue();
    if (tag.equals(Tag.NULL)) {
      return "null";
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

  private static String tagName(Tag tag) {
    return tag.getValue().replace(Tag.PREFIX, "!!");
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String at(String path) {
    return path.isEmpty() ? "" : path + ": ";
  }

  /** Builds Java values for the scalar kinds YAML 1.1 knows (ints in hex, octal, base 60 ...). */
  private static final class ScalarConstructor extends SafeConstructor {
    ScalarConstructor(LoaderOptions options) {
      super(options);
    }

    Object construct(ScalarNode scalar) {
      return constructObject(scalar);
    }
  }

  /**
   * Types plain scalars by PyYAML's rules, which MLflow writes with. SnakeYAML's own rules differ
   * at the edges: it reads {@code 1e3} as a number, PyYAML keeps the string.
   */
  private static final class PyYamlResolver extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.BOOL, Pattern.compile(
          "^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
          "yYnNtTfFoO", 10);
      addImplicitResolver(Tag.FLOAT, Pattern.compile(
          "^(?:[-+]?[0-9][0-9_]*\\.[0-9_]*(?:[eE][-+][0-9]+)?"
              + "|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
              + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
              + "|[-+]?\\.(?:inf|Inf|INF)"
              + "|\\.(?:nan|NaN|NAN))$"),
          "-+0123456789.");
      addImplicitResolver(Tag.INT, Pattern.compile(
          "^(?:[-+]?0b[0-1_]+"
              + "|[-+]?0[0-7_]+"
              + "|[-+]?(?:0|[1-9][0-9_]*)"
              + "|[-+]?0x[0-9a-fA-F_]+"
              + "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"),
          "-+0123456789");
      addImplicitResolver(Tag.MERGE, Pattern.compile("^(?:<<)$"), "<", 10);
      addImplicitResolver(Tag.NULL, Pattern.compile("^(?:~|null|Null|NULL|)$"), "~nN\0", 10);
      addImplicitResolver(Tag.TIMESTAMP, Pattern.compile(
          "^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
              + "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
              + "(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
              + "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"),
          "0123456789", 50);
    }
  }
}
