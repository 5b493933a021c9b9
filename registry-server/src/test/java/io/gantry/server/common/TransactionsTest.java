package io.gantry.server.common;

import static io.gantry.db.Tables.AUDIT_EVENT;
import static io.gantry.db.Tables.REGISTERED_MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.gantry.server.TestRegistry;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.AuditLog;
import io.gantry.server.audit.Payload;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/** The one write path: a change and its audit events commit together or not at all. */
class TransactionsTest {

  private final DSLContext dsl = TestRegistry.dsl();
  private final Transactions transactions = new Transactions(dsl, new AuditLog(events -> { }), CommitHook.NONE);

  @Test
  void aWriteThatRecordsNoEvent_failsAndLeavesNoChange() {
    String model = TestRegistry.uniqueModel("silent");

    Throwable failure = catchThrowable(() -> transactions.write("ana", tx -> insertModel(tx, model)));

    assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageContaining("recorded no audit event");
    assertThat(dsl.fetchExists(REGISTERED_MODEL, REGISTERED_MODEL.NAME.eq(model))).isFalse();
  }

  @Test
  void aWriteThatFailsAfterRecording_leavesNeitherChangeNorEvent() {
    String model = TestRegistry.uniqueModel("rolled-back");
    int eventsBefore = dsl.fetchCount(AUDIT_EVENT);

    Throwable failure = catchThrowable(() -> transactions.write("ana", tx -> {
      insertModel(tx, model);
      tx.record(Action.MODEL_CREATED, "models/" + model, Payload.of());
      throw new IllegalArgumentException("refused after the change");
    }));

    assertThat(failure).hasMessage("refused after the change");
    assertThat(dsl.fetchExists(REGISTERED_MODEL, REGISTERED_MODEL.NAME.eq(model))).isFalse();
    assertThat(dsl.fetchCount(AUDIT_EVENT)).isEqualTo(eventsBefore);
  }

  @Test
  void aWriteCommitsWithItsEvent() {
    String model = TestRegistry.uniqueModel("committed");

    transactions.write("ana", tx -> {
      insertModel(tx, model);
      tx.record(Action.MODEL_CREATED, "models/" + model, Payload.of());
      return null;
    });

    assertThat(dsl.fetchExists(REGISTERED_MODEL, REGISTERED_MODEL.NAME.eq(model))).isTrue();
    assertThat(dsl.fetchExists(AUDIT_EVENT, AUDIT_EVENT.RESOURCE.eq("models/" + model)
        .and(AUDIT_EVENT.ACTOR.eq("ana")))).isTrue();
  }

  private static Object insertModel(Tx tx, String model) {
    return tx.dsl().insertInto(REGISTERED_MODEL).set(REGISTERED_MODEL.NAME, model)
        .set(REGISTERED_MODEL.CREATED_BY, "ana").set(REGISTERED_MODEL.UPDATED_BY, "ana").execute();
  }
}
