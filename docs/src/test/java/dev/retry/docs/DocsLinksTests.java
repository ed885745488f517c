package dev.retry.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every link between the README, the changelog and the pages of the guide leads somewhere. */
class DocsLinksTests {

	private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

	private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} (.+)$");

	@Test
	void everyRelativeLinkNamesAFileAndEveryAnchorAHeading() throws IOException {
		List<Path> pages = new ArrayList<>(SnippetDriftTests.pages());
		pages.add(SnippetDriftTests.ROOT.resolve("CHANGELOG.md"));
		List<String> broken = new ArrayList<>();
		for (Path page : pages) {
			Matcher link = LINK.matcher(Files.readString(page));
			while (link.find()) {
				String target = link.group(1);
				if (target.matches("[a-z]+:.*")) {
					continue;
				}
				String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
				String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
				Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
				if (!Files.exists(resolved)) {
					broken.add(SnippetDriftTests.ROOT.relativize(page) + ": " + target + " (no such file)");
				}
				else if (anchor != null && !anchors(resolved).contains(anchor)) {
					broken.add(SnippetDriftTests.ROOT.relativize(page) + ": " + target + " (no such heading)");
				}
			}
		}
		assertThat(broken).isEmpty();
	}

	/** The anchors a repository host gives the headings of a Markdown page. */
	private static List<String> anchors(Path page) throws IOException {
		List<String> anchors = new ArrayList<>();
		if (!page.toString().endsWith(".md")) {
			return anchors;
		}
		Matcher heading = HEADING.matcher(Files.readString(page));
		while (heading.find()) {
			anchors.add(heading.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
		}
		return anchors;
	}

}
