package io.gantry.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.error.GantryException;
import io.gantry.server.query.Filter.Comparison;
import io.gantry.server.query.Filter.Literal;
import io.gantry.server.query.Filter.Operator;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterParserTest {

  @Test
  void comparison_withQuotedDatasetSegment_isParsed() {
    Filter filter = FilterParser.parse("metrics.`holdout.v2`.rmse <= 5.6").orElseThrow();

    assertThat(filter).isEqualTo(new Comparison(List.of("metrics", "holdout.v2", "rmse"), Operator.LE,
        new Literal(Literal.Kind.NUMBER, "5.6"), 1));
  }

  @Test
  void and_bindsTighterThanOr() {
    Filter filter = FilterParser.parse("a = 1 OR b = 2 AND c = 3").orElseThrow();

    assertThat(filter).isInstanceOf(Filter.Or.class);
    assertThat(((Filter.Or) filter).right()).isInstanceOf(Filter.And.class);
  }

  @Test
  void keywords_areCaseInsensitive_andStringsKeepEscapedQuotes() {
    Filter filter = FilterParser.parse("not name like 'it\\'s%' and status = ready").orElseThrow();

    Filter.And and = (Filter.And) filter;
    Comparison like = (Comparison) ((Filter.Not) and.left()).operand();
    assertThat(like.operator()).isEqualTo(Operator.LIKE);
    assertThat(like.value()).isEqualTo(new Literal(Literal.Kind.STRING, "it's%"));
    assertThat(((Comparison) and.right()).value()).isEqualTo(new Literal(Literal.Kind.WORD, "ready"));
  }

  @Test
  void ilike_andInLists_areParsed() {
    Filter filter = FilterParser.parse("name ilike '%TAXI%' AND run_id IN ('a', \"b\")").orElseThrow();

    Filter.And and = (Filter.And) filter;
    assertThat(((Comparison) and.left()).operator()).isEqualTo(Operator.ILIKE);
    assertThat(and.right()).isEqualTo(new Filter.In(List.of("run_id"), List.of(new Literal(Literal.Kind.STRING, "a"),
        new Literal(Literal.Kind.STRING, "b")), 25));
  }

  @Test
  void anInWithoutAClosedList_isRefused() {
    assertThat(catchThrowableOfType(() -> FilterParser.parse("run_id IN 'a'"), GantryException.class).getMessage())
        .contains("expected '(' after IN");
    assertThat(catchThrowableOfType(() -> FilterParser.parse("run_id IN ('a' 'b')"), GantryException.class)
        .getMessage()).contains("expected ',' or ')'");
  }

  @Test
  void blankFilter_isNoFilter() {
    assertThat(FilterParser.parse("   ")).isEmpty();
  }

  @Test
  void errors_nameTheColumn() {
    var e = catchThrowableOfType(() -> FilterParser.parse("name = 'x' ; DROP TABLE t"), GantryException.class);

    assertThat(e.violations()).singleElement().satisfies(v -> {
      assertThat(v.field()).isEqualTo("filter");
      assertThat(v.description()).startsWith("at column 12: unexpected ';");
    });
  }

  @Test
  void deepNesting_isRefused() {
    String deep = "(".repeat(40) + "a = 1" + ")".repeat(40);

    var e = catchThrowableOfType(() -> FilterParser.parse(deep), GantryException.class);

    assertThat(e.getMessage()).contains("nested more than 32 levels");
  }

  @Test
  void overlongFilter_isRefused() {
    var e = catchThrowableOfType(() -> FilterParser.parse("a = 1 AND ".repeat(500) + "a = 1"),
        GantryException.class);

    assertThat(e.getMessage()).contains("at most " + FilterParser.MAX_LENGTH);
  }
}
