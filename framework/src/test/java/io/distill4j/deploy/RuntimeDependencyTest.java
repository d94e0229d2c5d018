package io.distill4j.deploy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The runtime module ({@code framework/runtime}, artifact {@code distill4j-runtime}) depends on nothing but the JDK:
 * its pom declares no dependency, its sources import only {@code java.*} and its compiled classes reference only
 * {@code java.*} and its own package.
 */
class RuntimeDependencyTest {
    private static final Path MODULE = Path.of("runtime");

    @Test
    void pomDeclaresNoDependencies() throws IOException {
        String pom = Files.readString(MODULE.resolve("pom.xml"));
        assertTrue(pom.contains("<artifactId>distill4j-runtime</artifactId>"), "not the runtime's pom");
        String withoutComments = pom.replaceAll("(?s)<!--.*?-->", "");
        assertTrue(!withoutComments.contains("<dependency>") && !withoutComments.contains("<dependencies>"),
                "framework/runtime/pom.xml declares dependencies");
    }

    @Test
    void sourcesImportOnlyJava() throws IOException {
        Pattern imp = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)", Pattern.MULTILINE);
        List<Path> sources;
        try (Stream<Path> files = Files.walk(MODULE.resolve("src/main/java"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() >= 10, "runtime sources found: " + sources.size());
        for (Path p : sources) {
            Matcher m = imp.matcher(Files.readString(p));
            while (m.find()) {
                String name = m.group(2);
                assertTrue(name.startsWith("java.") || name.startsWith("io.distill4j.runtime."),
                        p + " imports " + name);
            }
        }
    }

    @Test
    void classesReferenceOnlyTheJdkAndThemselves() {
        JavaClasses runtime = new ClassFileImporter().importPackages("io.distill4j.runtime");
        assertEquals(true, runtime.size() >= 10, "runtime classes found: " + runtime.size());
        noClasses().that().resideInAPackage("io.distill4j.runtime..")
                .should().dependOnClassesThat().resideOutsideOfPackages("java..", "io.distill4j.runtime..")
                .check(runtime);
    }
}
