package dev.retry.autoconfigure.fleet;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Free text (names, reasons, values) inside the fleet's {@code |}-separated messages: URL-encoded,
 * so that no name, whatever it holds ({@code |}, {@code &}, {@code =}), can break a message apart.
 */
final class WireText {

	private WireText() {
	}

	static String encode(String text) {
		return URLEncoder.encode(text, StandardCharsets.UTF_8);
	}

	/** @throws IllegalArgumentException when the text is not URL-encoded */
	static String decode(String text) {
		return URLDecoder.decode(text, StandardCharsets.UTF_8);
	}

	/** A whole number of at most 19 digits, or -1 when {@code text} is not one. */
	static long number(String text) {
		if (text.isEmpty() || text.length() > 19) {
			return -1;
		}
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) < '0' || text.charAt(i) > '9') {
				return -1;
			}
		}
		try {
			return Long.parseLong(text);
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

}
