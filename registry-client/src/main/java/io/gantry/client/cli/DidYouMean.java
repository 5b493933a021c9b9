package io.gantry.client.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line as it was probably meant: the first unknown word replaced by the closest subcommand or option
 * name of the command, by edit distance (picocli's own suggestions rank {@code --target} before {@code --tag} for
 * {@code --tagg}).
 */
final class DidYouMean {

  private DidYouMean() {}

  /** {@code gantry model list} → {@code gantry models list}; {@code --tagg a=b} → {@code --tag a=b}. */
  static Optional<String> commandLine(UnmatchedArgumentException unmatched, String[] args) {
    if (unmatched.getUnmatched().isEmpty()) {
      return Optional.empty();
    }
    String wrong = unmatched.getUnmatched().get(0);
    String name = wrong.startsWith("-") && wrong.contains("=") ? wrong.substring(0, wrong.indexOf('=')) : wrong;
    CommandSpec command = unmatched.getCommandLine().getCommandSpec();
    Set<String> names = name.startsWith("-") ? command.optionsMap().keySet() : command.subcommands().keySet();
    Optional<String> closest = names.stream()
        .filter(candidate -> distance(name, candidate) <= Math.max(2, name.length() / 3))
        .min(Comparator.comparingInt((String candidate) -> distance(name, candidate)));
    return closest.map(suggestion -> replaced(args, wrong, suggestion + wrong.substring(name.length())));
  }

  private static String replaced(String[] args, String wrong, String meant) {
    List<String> words = new ArrayList<>(List.of("gantry"));
    boolean replaced = false;
    for (String arg : args) {
      String word = !replaced && arg.equals(wrong) ? meant : arg;
      replaced |= arg.equals(wrong);
      words.add(word.isEmpty() || word.matches(".*[\\s'\"$`\\\\].*") ? "'" + word.replace("'", "'\\''") + "'" : word);
    }
    return String.join(" ", words);
  }

  /** Levenshtein's: the fewest insertions, deletions and substitutions that make one word the other. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int[] current = new int[b.length() + 1];
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      previous = current;
    }
    return previous[b.length()];
  }
}
