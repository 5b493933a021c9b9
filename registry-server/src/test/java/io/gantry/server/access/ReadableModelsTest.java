package io.gantry.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/** The SQL a list's query gets from the models its caller may read. */
class ReadableModelsTest {

  private static String sql(ReadableModels readable) {
    return DSL.using(SQLDialect.POSTGRES).renderInlined(readable.condition(DSL.field(DSL.name("name"), String.class)));
  }

  @Test
  void outsideACallTheInterceptorAdmitted_nothingIsReadable() {
    assertThat(ReadableModels.current()).isSameAs(ReadableModels.NONE);
    assertThat(sql(ReadableModels.current())).isEqualTo("false");
  }

  @Test
  void everyModel_addsNoCondition() {
    assertThat(sql(ReadableModels.EVERY_MODEL)).isEqualTo("true");
  }

  @Test
  void globs_becomeEscapedLikePatterns_andPlainNamesEquality() {
    assertThat(sql(ReadableModels.of(List.of("lit_a?", "fraud-*", "churn"))))
        .isEqualTo("(\"name\" like 'lit\\_a_' escape '\\' or \"name\" like 'fraud-%' escape '\\'"
            + " or \"name\" = 'churn')");
  }
}
