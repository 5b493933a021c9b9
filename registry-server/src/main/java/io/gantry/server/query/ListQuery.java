package io.gantry.server.query;

import io.gantry.server.common.Digests;
import io.gantry.server.error.GantryException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * <p>Page tokens are opaque and sealed ({@link PageTokens}): they hold the last row's sort value and id, and a digest
 * of the query and the caller they belong to. A token that was altered, or is used with another filter, order or
 * list, or by another caller, is refused.
 */
public final class ListQuery {

  public static final int DEFAULT_PAGE_SIZE = 50;
  public static final int MAX_PAGE_SIZE = 1000;
  private static final int DIGEST_BYTES = 16;

  private final int pageSize;
  private final List<Order> orders;
  private final Field<Long> id;
  private final Condition condition;
  private final byte[] queryDigest;
  private final PageTokens tokens;

  private ListQuery(int pageSize, List<Order> orders, Field<Long> id, Condition condition, byte[] queryDigest,
      PageTokens tokens) {
    this.pageSize = pageSize;
    this.orders = orders;
    this.id = id;
    this.condition = condition;
    this.queryDigest = queryDigest;
    this.tokens = tokens;
  }

  /**
   * What a list request asks for, before it is checked.
   *
   * @param scope what else the page depends on (e.g. the parent), so a token cannot move between lists
   * @param caller the principal asking, so a token cannot move between callers
   */
  public record Request(String scope, String caller, int pageSize, String pageToken, String filter, String orderBy) {}

  /** One page of results. {@code nextPageToken} is empty on the last page. */
  public record Page<T>(List<T> items, String nextPageToken) {}

  /**
   * @param sortKeys the orders allowed, by name; the first is the default unless {@code defaultOrder} says otherwise
   */
  public static ListQuery of(Request request, FilterSchema schema, Map<String, SortKey<?>> sortKeys,
      String defaultOrder, Field<Long> id, PageTokens tokens) {
    if (request.pageSize() < 0) {
      throw GantryException.invalid("page_size", "must not be negative, got " + request.pageSize());
    }
    int pageSize = request.pageSize() == 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize(), MAX_PAGE_SIZE);
    List<Order> orders = orders(request.orderBy().isBlank() ? defaultOrder : request.orderBy(), sortKeys);
    Condition condition = FilterParser.parse(request.filter()).map(schema::toCondition).orElse(DSL.noCondition());
    List<String> parts = new ArrayList<>(List.of(request.scope(), request.caller(), request.filter()));
    orders.forEach(o -> parts.addAll(List.of(o.key().name(), String.valueOf(o.descending()))));
    ListQuery query = new ListQuery(pageSize, orders, id, condition, digest(parts), tokens);
    if (!request.pageToken().isEmpty()) {
      query = query.after(request.pageToken());
    }
    return query;
  }

  /** The filter and the keyset position. */
  public Condition condition() {
    return condition;
  }

  /** One sort key in an {@code order_by}, and its direction. */
  private record Order(SortKey<?> key, boolean descending) {
    SortField<?> sortField() {
      return descending ? key.field().desc() : key.field().asc();
    }
  }

  /** {@code field [asc|desc] {, field [asc|desc]}}: each field once. */
  private static List<Order> orders(String orderBy, Map<String, SortKey<?>> sortKeys) {
    List<Order> orders = new ArrayList<>();
    for (String item : orderBy.split(",", -1)) {
      String[] words = item.trim().split("\\s+");
      SortKey<?> key = sortKeys.get(words[0]);
      if (key == null || words.length > 2
          || (words.length == 2 && !words[1].equalsIgnoreCase("asc") && !words[1].equalsIgnoreCase("desc"))) {
        throw GantryException.invalid("order_by", "'" + item.trim() + "' is not one of "
            + String.join(", ", sortKeys.keySet()) + ", optionally followed by asc or desc");
      }
      if (orders.stream().anyMatch(o -> o.key() == key)) {
        throw GantryException.invalid("order_by", "names '" + key.name() + "' twice");
      }
      orders.add(new Order(key, words.length == 2 && words[1].toLowerCase(Locale.ROOT).equals("desc")));
    }
    return List.copyOf(orders);
  }

  /** The order's fields, then the row id in the last field's direction, so the order is total. */
  public List<SortField<?>> orderBy() {
    List<SortField<?>> fields = new ArrayList<>(orders.stream().map(Order::sortField).toList());
    fields.add(lastDescending() ? id.desc() : id.asc());
    return fields;
  }

  private boolean lastDescending() {
    return orders.get(orders.size() - 1).descending();
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

  /**
   * The last row's position: the query digest, its id, then each sort value, every one but the last with its length
   * before it (so a one-key token is as it always was).
   */
  private String token(Record last) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    content.writeBytes(queryDigest);
    content.writeBytes(ByteBuffer.allocate(Long.BYTES).putLong(last.get(id)).array());
    for (int i = 0; i < orders.size(); i++) {
      byte[] value = encode(orders.get(i).key(), last).getBytes(StandardCharsets.UTF_8);
      if (i < orders.size() - 1) {
        content.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(value.length).array());
      }
      content.writeBytes(value);
    }
    return tokens.seal(content.toByteArray());
  }

  private static <T> String encode(SortKey<T> key, Record row) {
    return key.encode().apply(row.get(key.field()));
  }

  private ListQuery after(String pageToken) {
    byte[] content = tokens.open(pageToken).filter(c -> c.length >= DIGEST_BYTES + Long.BYTES)
        .orElseThrow(ListQuery::malformedToken);
    if (!MessageDigest.isEqual(Arrays.copyOf(content, DIGEST_BYTES), queryDigest)) {
      throw GantryException.invalid("page_token", "belongs to a different query or caller: filter, order_by and "
          + "parent must stay as they were for the first page, and only its caller may turn the page");
    }
    try {
      ByteBuffer position = ByteBuffer.wrap(content, DIGEST_BYTES, content.length - DIGEST_BYTES);
      long lastId = position.getLong();
      List<Field<?>> fields = new ArrayList<>();
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < orders.size(); i++) {
        int length = i < orders.size() - 1 ? position.getInt() : position.remaining();
        byte[] value = new byte[length];
        position.get(value);
        fields.add(orders.get(i).key().field());
        values.add(orders.get(i).key().decode().apply(new String(value, StandardCharsets.UTF_8)));
      }
      fields.add(id);
      values.add(lastId);
      return new ListQuery(pageSize, orders, id, condition.and(seek(fields, values)), queryDigest, tokens);
    } catch (RuntimeException e) {
      throw malformedToken();
    }
  }

  /**
   * The rows after {@code values} in this order. One direction throughout is one row comparison, which PostgreSQL
   * answers from an index; mixed directions are spelled out: the first field that differs decides.
   */
  private Condition seek(List<Field<?>> fields, List<Object> values) {
    if (orders.stream().allMatch(o -> o.descending() == lastDescending())) {
      List<Field<?>> last = new ArrayList<>();
      for (int i = 0; i < fields.size(); i++) {
        last.add(DSL.val(values.get(i), fields.get(i)));
      }
      return lastDescending() ? DSL.row(fields).lt(DSL.row(last)) : DSL.row(fields).gt(DSL.row(last));
    }
    Condition after = DSL.falseCondition();
    Condition equalSoFar = DSL.trueCondition();
    for (int i = 0; i < fields.size(); i++) {
      boolean descending = i < orders.size() ? orders.get(i).descending() : lastDescending();
      after = after.or(equalSoFar.and(beyond(fields.get(i), values.get(i), descending)));
      equalSoFar = equalSoFar.and(equal(fields.get(i), values.get(i)));
    }
    return after;
  }

  @SuppressWarnings("unchecked")
  private static <T> Condition beyond(Field<T> field, Object value, boolean descending) {
    return descending ? field.lt((T) value) : field.gt((T) value);
  }

  @SuppressWarnings("unchecked")
  private static <T> Condition equal(Field<T> field, Object value) {
    return field.eq((T) value);
  }

  private static GantryException malformedToken() {
    return GantryException.invalid("page_token",
        "is not a token this server issued, or was altered; use next_page_token exactly as returned");
  }

  /** The digest of {@code parts}, each length-prefixed so that no two lists of parts run together alike. */
  private static byte[] digest(List<String> parts) {
    MessageDigest digest = Digests.newSha256();
    for (String part : parts) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
      digest.update(bytes);
    }
    return Arrays.copyOf(digest.digest(), DIGEST_BYTES);
  }
}
