package dev.retry.sample.files;

/**
 * A finished download.
 * @param name the file
 * @param size bytes received
 * @param attempts attempts it took
 * @param sha256 digest of the bytes, hex
 */
public record Download(String name, long size, int attempts, String sha256) {
}
