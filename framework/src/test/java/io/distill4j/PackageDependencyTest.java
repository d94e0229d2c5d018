package io.distill4j;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package structure the design promises: contracts that depend on nothing, and no package cycles. */
class PackageDependencyTest {
    private static JavaClasses framework;

    @BeforeAll
    static void importClasses() {
        framework = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.distill4j");
    }

    @Test
    void noPackageCycles() {
        // every package (subpackages too) is its own slice: data and data.features may not import each other both ways
        slices().matching("io.distill4j.(**)").should().beFreeOfCycles().check(framework);
    }

    @Test
    void apiDependsOnNoOtherPackageOfTheProject() {
        noClasses().that().resideInAPackage("io.distill4j.api")
                .should().dependOnClassesThat(resideInAPackage("io.distill4j..").and(not(resideInAPackage("io.distill4j.api"))))
                .check(framework);
    }
}
