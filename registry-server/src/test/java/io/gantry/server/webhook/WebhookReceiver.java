package io.gantry.server.webhook;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.ToIntFunction;
import org.awaitility.Awaitility;

/**
 * A webhook receiver on loopback, as a deployer would run one: it records every POST by path and answers each with
 * the status its path's plan gives for that attempt (200 unless told otherwise).
 */
final class WebhookReceiver implements AutoCloseable {

  /** One request as it arrived. */
  record Received(String path, Map<String, List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
          .map(e -> e.getValue().get(0)).orElse(null);
    }
  }

  private final HttpServer server;
  private final Map<String, List<Received>> received = new ConcurrentHashMap<>();
  private final Map<String, ToIntFunction<List<Received>>> plans = new ConcurrentHashMap<>();

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      List<Received> arrived = received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>());
      List<Received> history;
      synchronized (arrived) {
        arrived.add(new Received(path, Map.copyOf(exchange.getRequestHeaders()), body));
        history = List.copyOf(arrived);
      }
      int status = plans.getOrDefault(path, h -> 200).applyAsInt(history);
      byte[] answer = (status < 300 ? "ok" : "not now").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /**
   * @param plan the status to answer a request to {@code path} with, given every request it has received, this one
   *     last; it may block
   */
  void plan(String path, ToIntFunction<List<Received>> plan) {
    plans.put(path, plan);
  }

  List<Received> received(String path) {
    return List.copyOf(received.getOrDefault(path, List.of()));
  }

  /** Waits until {@code path} has received at least {@code count} requests, and returns them. */
  List<Received> await(String path, int count, Duration timeout) {
    return Awaitility.await(path + " received " + count + " requests").atMost(timeout)
        .pollInterval(Duration.ofMillis(20)).until(() -> received(path), arrived -> arrived.size() >= count);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
