package dev.retry.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The code blocks of a Markdown page and the marked regions of sources they are copied from.
 * <p>
 * A page writes {@code <!-- snippet: path/from/repository/root/File.java#region -->} on the line
 * before a fenced block; the source marks the region with {@code tag::region[]} and
 * {@code end::region[]} in a comment (as Asciidoctor's include does). The block must be the region,
 * its common indentation removed and tabs written as four spaces. Java, Kotlin, YAML and properties
 * blocks must all come from a region: what a reader copies is what the build compiled and ran.
 */
final class Snippets {

	static final Set<String> CHECKED_LANGUAGES = Set.of("java", "kotlin", "yaml", "yml", "properties");

	private static final Pattern MARKER = Pattern.compile("<!--\\s*snippet:\\s*(\\S+)#(\\S+)\\s*-->");

	private static final Pattern FENCE = Pattern.compile("^(\\s*)(```+)\\s*([\\w-]*)\\s*$");

	private Snippets() {
	}

	/** A fenced block of a page, and the region it claims to be, if any. */
	record Block(Path page, int line, String language, List<String> lines, int firstLine, int endLine,
			String source, String region) {

		boolean marked() {
			return this.source != null;
		}

		String where(Path root) {
			return root.relativize(this.page) + ":" + this.line;
		}

	}

	static List<Block> blocks(Path page) {
		List<String> lines = read(page);
		List<Block> blocks = new ArrayList<>();
		String source = null;
		String region = null;
		int markerLine = -1;
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i);
			Matcher marker = MARKER.matcher(line);
			if (marker.find()) {
				source = marker.group(1);
				region = marker.group(2);
				markerLine = i;
				continue;
			}
			Matcher fence = FENCE.matcher(line);
			if (!fence.matches()) {
				if (!line.isBlank()) {
					source = null;
					region = null;
				}
				continue;
			}
			String ticks = fence.group(2);
			int end = i + 1;
			while (end < lines.size() && !lines.get(end).strip().equals(ticks)) {
				end++;
			}
			boolean markedHere = source != null && markerLine >= 0;
			blocks.add(new Block(page, i + 1, fence.group(3).toLowerCase(), List.copyOf(lines.subList(i + 1, Math.min(end, lines.size()))),
					i + 1, end, markedHere ? source : null, markedHere ? region : null));
			source = null;
			region = null;
			markerLine = -1;
			i = end;
		}
		return blocks;
	}

	/** The lines of a region of a source, without the tag lines, common indentation removed. */
	static List<String> region(Path file, String region) {
		List<String> lines = read(file);
		String start = "tag::" + region + "[]";
		String end = "end::" + region + "[]";
		List<String> found = null;
		for (String line : lines) {
			if (found == null) {
				if (line.contains(start)) {
					found = new ArrayList<>();
				}
				continue;
			}
			if (line.contains(end)) {
				return unindent(found);
			}
			if (!line.contains("tag::") && !line.contains("end::")) {
				found.add(line.replace("\t", "    ").stripTrailing());
			}
		}
		throw new IllegalArgumentException((found == null) ? file + " has no region '" + region + "' (tag::"
				+ region + "[] ... end::" + region + "[])" : file + ": region '" + region + "' is never ended");
	}

	private static List<String> unindent(List<String> lines) {
		int indent = lines.stream()
			.filter((line) -> !line.isBlank())
			.mapToInt((line) -> line.length() - line.stripLeading().length())
			.min()
			.orElse(0);
		return lines.stream().map((line) -> line.isBlank() ? "" : line.substring(indent)).toList();
	}

	/** The page with every marked block replaced by its region. */
	static String rewrite(Path page, Path root) {
		List<String> lines = new ArrayList<>(read(page));
		List<Block> blocks = blocks(page);
		for (int b = blocks.size() - 1; b >= 0; b--) {
			Block block = blocks.get(b);
			if (!block.marked()) {
				continue;
			}
			List<String> region = region(root.resolve(block.source()), block.region());
			for (int i = block.endLine() - 1; i >= block.firstLine(); i--) {
				lines.remove(i);
			}
			lines.addAll(block.firstLine(), region);
		}
		return String.join("\n", lines) + "\n";
	}

	static List<String> read(Path file) {
		try {
			return Files.readAllLines(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
