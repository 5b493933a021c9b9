/**
 * Where artifact bytes live. {@link io.gantry.server.artifact.store.ArtifactStore} is the contract: content-addressed
 * blobs ({@code blobs/sha256/ab/cdef…}), each stored under its name only once it is whole and its digest checked, so
 * equal files across versions are stored once and a crash never leaves half a blob where a reader could find it.
 *
 * <p>Two stores keep it: {@link io.gantry.server.artifact.store.FilesystemArtifactStore}, files under the data
 * directory (the embedded default), and {@link io.gantry.server.artifact.store.S3ArtifactStore}, objects in any
 * S3-compatible bucket (production), which can also hand out presigned download URLs.
 * {@link io.gantry.server.artifact.store.ArtifactStores#open} picks one from the configuration. Both pass the same
 * contract test suite, the S3 one against a real S3 server (S3Proxy) in the test JVM.
 *
 * <p>A store reads bytes back as they are: the caller verifies the digest while it reads, so a blob damaged at
 * rest is detected where it is served.
 */
package io.gantry.server.artifact.store;
