package io.gantry.server.query;

import io.gantry.server.common.Digests;
import io.gantry.server.error.GantryException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SortField;
import org.jooq.impl.DSL;

/**
 * One page of a list call: filter, order and keyset position, from the request's
 * {@code filter}, {@code order_by}, {@code page_size} and {@code page_token}.
 *
 * <p>Page tokens are opaque to clients: they carry the last row's sort value and id, a digest of
 * the query they belong to, and a checksum. They are not secret (their values are only ever bind
 * values), but an altered token or one reused with another filter or order is refused.
 */
public final class ListQuery {

  public static final int DEFAULT_PAGE_SIZE = 50;
  public static final int MAX_PAGE_SIZE = 1000;
  private static final int CHECKSUM_BYTES = 8;

  private final int pageSize;
  private final SortKey<?> sortKey;
  private final boolean descending;
  private final Field<Long> id;
  private final Condition condition;
  private final String queryDigest;

  private ListQuery(int pageSize, SortKey<?> sortKey, boolean descending, Field<Long> id, Condition condition,
      String queryDigest) {
    this.pageSize = pageSize;
    this.sortKey = sortKey;
    this.descending = descending;
    this.id = id;
    this.condition = condition;
    this.queryDigest = queryDigest;
  }

  /** What a list request asks for, before it is checked. */
  public record Request(String scope, int pageSize, String pageToken, String filter, String orderBy) {}

  /** One page of results. {@code nextPageToken} is empty on the last page. */
  public record Page<T>(List<T> items, String nextPageToken) {}

  /**
   * @param scope what else the page depends on (e.g. the parent), so a token cannot move between lists
   * @param sortKeys the orders allowed, by name; the first is the default unless {@code defaultOrder} says otherwise
   */
  public static ListQuery of(Request request, FilterSchema schema, Map<String, SortKey<?>> sortKeys,
      String defaultOrder, Field<Long> id) {
    if (request.pageSize() < 0) {
      throw GantryException.invalid("page_size", "must not be negative, got " + request.pageSize());
    }
    int pageSize = request.pageSize() == 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize(), MAX_PAGE_SIZE);
    String[] order = (request.orderBy().isBlank() ? defaultOrder : request.orderBy().trim()).split("\\s+");
    SortKey<?> sortKey = sortKeys.get(order[0]);
    if (sortKey == null || order.length > 2
        || (order.length == 2 && !order[1].equalsIgnoreCase("asc") && !order[1].equalsIgnoreCase("desc"))) {
      throw GantryException.invalid("order_by", "'" + request.orderBy() + "' is not one of "
          + String.join(", ", sortKeys.keySet()) + ", optionally followed by asc or desc");
    }
    boolean descending = order.length == 2 && order[1].toLowerCase(Locale.ROOT).equals("desc");
    Condition condition = FilterParser.parse(request.filter()).map(schema::toCondition).orElse(DSL.noCondition());
    String digest = digest(request.scope() + "\n" + request.filter() + "\n" + sortKey.name() + "\n" + descending);
    ListQuery query = new ListQuery(pageSize, sortKey, descending, id, condition, digest);
    if (!request.pageToken().isEmpty()) {
      query = query.after(request.pageToken());
    }
    return query;
  }

  /** The filter and the keyset position. */
  public Condition condition() {
    return condition;
  }

  public List<SortField<?>> orderBy() {
    return descending ? List.of(sortKey.field().desc(), id.desc()) : List.of(sortKey.field().asc(), id.asc());
  }

  /** One more row than the page holds, to learn whether another page follows. */
  public int limit() {
    return pageSize + 1;
  }

  /** Cuts the fetched rows to a page and makes the token of the next one. */
  public <R extends Record, T> Page<T> page(List<R> rows, Function<R, T> map) {
    List<T> items = new ArrayList<>();
    for (int i = 0; i < Math.min(rows.size(), pageSize); i++) {
      items.add(map.apply(rows.get(i)));
    }
    String next = rows.size() > pageSize ? token(rows.get(pageSize - 1)) : "";
    return new Page<>(items, next);
  }

  private <T> String token(Record last) {
    @SuppressWarnings("unchecked")
    SortKey<T> key = (SortKey<T>) sortKey;
    String payload = queryDigest + "\n" + last.get(id) + "\n" + key.encode().apply(last.get(key.field()));
    byte[] body = payload.getBytes(StandardCharsets.UTF_8);
    byte[] token = ByteBuffer.allocate(body.length + CHECKSUM_BYTES).put(body).put(checksum(body)).array();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
  }

  private ListQuery after(String pageToken) {
    String[] parts = decode(pageToken);
    if (!parts[0].equals(queryDigest)) {
      throw GantryException.invalid("page_token",
          "belongs to a different query: filter, order_by and parent must stay as they were for the first page");
    }
    try {
      long lastId = Long.parseLong(parts[1]);
      return new ListQuery(pageSize, sortKey, descending, id, condition.and(seek(sortKey, parts[2], lastId)),
          queryDigest);
    } catch (RuntimeException e) {
      throw malformedToken();
    }
  }

  private <T> Condition seek(SortKey<T> key, String encodedValue, long lastId) {
    T value = key.decode().apply(encodedValue);
    var position = DSL.row(key.field(), id);
    return descending ? position.lt(value, lastId) : position.gt(value, lastId);
  }

  private static String[] decode(String pageToken) {
    byte[] token;
    try {
      token = Base64.getUrlDecoder().decode(pageToken);
    } catch (IllegalArgumentException e) {
      throw malformedToken();
    }
    if (token.length <= CHECKSUM_BYTES) {
      throw malformedToken();
    }
    byte[] body = Arrays.copyOf(token, token.length - CHECKSUM_BYTES);
    if (!Arrays.equals(checksum(body), Arrays.copyOfRange(token, body.length, token.length))) {
      throw malformedToken();
    }
    String[] parts = new String(body, StandardCharsets.UTF_8).split("\n", 3);
    if (parts.length != 3) {
      throw malformedToken();
    }
    return parts;
  }

  private static GantryException malformedToken() {
    return GantryException.invalid("page_token",
        "is not a token this server issued, or was altered; use next_page_token exactly as returned");
  }

  private static byte[] checksum(byte[] body) {
    return Arrays.copyOf(Digests.sha256(body), CHECKSUM_BYTES);
  }

  private static String digest(String text) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(Arrays.copyOf(Digests.sha256(text.getBytes(StandardCharsets.UTF_8)), 12));
  }
}
