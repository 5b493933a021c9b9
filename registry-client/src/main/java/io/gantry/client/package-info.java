/**
 * The Java client of a Gantry registry. {@link io.gantry.client.GantryClient} opens one plaintext
 * channel to a server, names the caller in the {@code x-gantry-user} header of every call, and
 * retries a call that failed {@code UNAVAILABLE}; creates are safe to retry only when they carry a
 * {@code request_id}, which is why the CLI always sends one.
 *
 * <p>Calls fail with {@link io.grpc.StatusRuntimeException}, as any gRPC stub does;
 * {@link io.gantry.client.GantryClientException#from} reads the error details the server attaches
 * (the status code, a stable {@link io.gantry.v1.ErrorReason} and the invalid fields), so callers
 * branch on those and never on message text. {@link io.gantry.client.ResourceNames} turns what
 * people type ({@code taxi}, {@code taxi 3}, {@code models:/taxi/3}, {@code models:/taxi@champion}, a
 * promotion's uuid) into resource names, {@link io.gantry.client.MlflowModelDirectory} reads the metadata files
 * of an MLflow model directory, and {@link io.gantry.client.PolicyBindings} turns the bindings of a policy file
 * (read by {@link io.gantry.policy.PolicyFile}, as the server reads it) into {@code SetPromotionPolicy} requests.
 *
 * <p>A version's files move through {@code gantry.v1.Artifacts}: {@link io.gantry.client.ArtifactDirectory} maps a
 * local directory to manifest paths and back (refusing links and paths that lead outside it) and hashes the files
 * before they are sent; {@link io.gantry.client.ArtifactUpload} streams them with gRPC flow control, a chunk read
 * from disk only when the transport can take it; {@link io.gantry.client.ArtifactDownload} writes each file to a
 * temporary file, checks its size and SHA-256, flushes and renames it, so no file on disk is ever partial. Both name
 * the file a failure happened at in an {@link io.gantry.client.ArtifactTransferException}, and tell a
 * {@link io.gantry.client.TransferListener} how far they got.
 *
 * <p>{@link io.gantry.client.AuditExportVerifier} checks an export of the audit log against a signed
 * checkpoint without a server: the signature, the gap-free {@code seq} numbering (naming the first bad
 * {@code seq}) and the RFC 6962 root, with {@code io.gantry.tlog}.
 */
package io.gantry.client;
