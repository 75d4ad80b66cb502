package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.AggregateKind;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.file.CsvSource;
import io.riffle.engine.expr.Expr;
import io.riffle.scheduler.IdleMode;

import org.junit.jupiter.api.Test;

/**
 * The API boundary, checked: a public or protected signature of a public API type (parameters, return types,
 * thrown exceptions, type parameters and their bounds, generic arguments, field types, superclasses and
 * interfaces) names only JDK types ({@code java.*}) and API types, so a program written against the API never
 * sees an {@code internal} type, and the internals can change without breaking it. See "API boundary" in
 * {@code docs/architecture.md}.
 */
class ApiBoundaryTest {
    /**
     * One type of each API package, by which its classes are found: the engine's API, its connector SPI and
     * file connectors, column expressions, and the columnar module's schemas, rows and batches. Not API:
     * {@code io.riffle.engine.internal.*}, {@code io.riffle.engine.cli} (an application: its interface is the
     * command line), and the columnar and scheduler packages but for the types of {@link #API_TYPES}.
     */
    private static final List<Class<?>> API_PACKAGES = List.of(Environment.class, Source.class, CsvSource.class,
            Expr.class, BatchSchema.class);

    /** The API types of packages that are not API as a whole: what the engine's API takes from them. */
    private static final Set<Class<?>> API_TYPES = Set.of(Aggregate.class, AggregateKind.class, IdleMode.class);

    /**
     * Arrow, whose vectors and allocators are Riffle's batches and memory: the column path and the connector
     * SPI hand them to programs on purpose, as part of the API.
     */
    private static final String ARROW = "org.apache.arrow.";

    @Test
    void publicSignaturesOfTheApiNameOnlyJdkAndApiTypes() {
        List<Class<?>> api = new ArrayList<>(API_TYPES);
        for (Class<?> anchor : API_PACKAGES) {
            api.addAll(publicTypesOf(anchor));
        }
        Set<String> leaks = new TreeSet<>();
        for (Class<?> type : api) {
            leaks.addAll(new Boundary(ApiBoundaryTest::isApi).leaksOf(type));
        }
        assertEquals("", String.join("\n", leaks), "public signatures of the API name types outside it: move the"
                + " type to an API package, or keep the member out of the API (docs/architecture.md, API boundary)");
    }

    /** The check itself: each place a signature can name a type is looked at, and only the visible ones. */
    @Test
    void everyPlaceASignatureNamesATypeIsChecked() {
        String hidden = Hidden.class.getName();
        String leaky = Leaky.class.getName();
        assertEquals(new TreeSet<>(List.of(
                leaky + ": type parameter T names " + hidden,
                leaky + ": superclass names " + hidden,
                leaky + ": interface names " + hidden,
                leaky + ".field: type names " + hidden,
                leaky + ".Leaky(Hidden[]): parameter 1 names " + hidden,
                leaky + ".array(): return type names " + hidden,
                leaky + ".wildcard(): return type names " + hidden,
                leaky + ".bounded(): type parameter U names " + hidden,
                leaky + ".fails(): throws names " + HiddenFailure.class.getName(),
                leaky + ".protectedParameter(List): parameter 1 names " + hidden,
                Leaky.Inner.class.getName() + ".inner(): return type names " + hidden)),
                new TreeSet<>(new Boundary(t -> t != Hidden.class && t != HiddenFailure.class).leaksOf(Leaky.class)));
    }

    private static boolean isApi(Class<?> type) {
        String pkg = type.getPackageName();
        if (pkg.startsWith("java.") || pkg.startsWith(ARROW) || API_TYPES.contains(type)) {
            return true;
        }
        for (Class<?> anchor : API_PACKAGES) {
            if (pkg.equals(anchor.getPackageName())) {
                return true;
            }
        }
        return false;
    }

    /** The public top-level types of {@code anchor}'s package, from the directory or jar that holds it. */
    private static List<Class<?>> publicTypesOf(Class<?> anchor) {
        String folder = anchor.getPackageName().replace('.', '/');
        List<String> classFiles = new ArrayList<>();
        try {
            Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(root)) {
                try (Stream<Path> files = Files.list(root.resolve(folder))) {
                    files.forEach(f -> classFiles.add(folder + "/" + f.getFileName()));
                }
            } else {
                try (JarFile jar = new JarFile(root.toFile())) {
                    for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                        String name = entries.nextElement().getName();
                        if (name.startsWith(folder + "/") && name.indexOf('/', folder.length() + 1) < 0) {
                            classFiles.add(name);
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list the classes of " + anchor.getPackageName(), e);
        }
        List<Class<?>> types = new ArrayList<>();
        for (String file : classFiles) {
            // Nested types are reached through their enclosing type, which knows whether they are visible.
            if (file.endsWith(".class") && !file.contains("$") && !file.endsWith("-info.class")) {
                String name = file.substring(0, file.length() - ".class".length()).replace('/', '.');
                try {
                    Class<?> type = Class.forName(name, false, anchor.getClassLoader());
                    if (Modifier.isPublic(type.getModifiers())) {
                        types.add(type);
                    }
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("cannot load " + name, e);
                }
            }
        }
        return types;
    }

    /** Walks the visible signatures of a type and names each type they mention that is not API. */
    private static final class Boundary {
        private final Predicate<Class<?>> isApi;
        private final List<String> leaks = new ArrayList<>();

        Boundary(Predicate<Class<?>> isApi) {
            this.isApi = isApi;
        }

        List<String> leaksOf(Class<?> type) {
            String owner = type.getName();
            for (TypeVariable<?> v : type.getTypeParameters()) {
                for (Type bound : v.getBounds()) {
                    names(bound, owner + ": type parameter " + v.getName(), new HashSet<>());
                }
            }
            if (type.getGenericSuperclass() != null) {
                names(type.getGenericSuperclass(), owner + ": superclass", new HashSet<>());
            }
            for (Type i : type.getGenericInterfaces()) {
                names(i, owner + ": interface", new HashSet<>());
            }
            for (Field f : type.getDeclaredFields()) {
                if (visible(type, f) && !f.isSynthetic()) {
                    names(f.getGenericType(), owner + "." + f.getName() + ": type", new HashSet<>());
                }
            }
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (visible(type, c) && !c.isSynthetic()) {
                    executable(c, owner + "." + type.getSimpleName(), null);
                }
            }
            for (Method m : type.getDeclaredMethods()) {
                if (visible(type, m) && !m.isSynthetic() && !m.isBridge()) {
                    executable(m, owner + "." + m.getName(), m.getGenericReturnType());
                }
            }
            for (Class<?> nested : type.getDeclaredClasses()) {
                if (visible(type, nested.getModifiers())) {
                    leaksOf(nested);
                }
            }
            return leaks;
        }

        private void executable(Executable e, String name, Type returnType) {
            StringBuilder parameters = new StringBuilder();
            for (Class<?> p : e.getParameterTypes()) {
                parameters.append(parameters.length() == 0 ? "" : ", ").append(p.getSimpleName());
            }
            String signature = name + "(" + parameters + ")";
            for (TypeVariable<?> v : e.getTypeParameters()) {
                for (Type bound : v.getBounds()) {
                    names(bound, signature + ": type parameter " + v.getName(), new HashSet<>());
                }
            }
            if (returnType != null) {
                names(returnType, signature + ": return type", new HashSet<>());
            }
            Type[] parameterTypes = e.getGenericParameterTypes();
            for (int p = 0; p < parameterTypes.length; p++) {
                names(parameterTypes[p], signature + ": parameter " + (p + 1), new HashSet<>());
            }
            for (Type thrown : e.getGenericExceptionTypes()) {
                names(thrown, signature + ": throws", new HashSet<>());
            }
        }

        /** Names every type {@code type} mentions; {@code seen} stops at a type variable bounded by itself. */
        private void names(Type type, String where, Set<TypeVariable<?>> seen) {
            if (type instanceof Class<?> c) {
                while (c.isArray()) {
                    c = c.getComponentType();
                }
                if (!c.isPrimitive() && !isApi.test(c)) {
                    leaks.add(where + " names " + c.getName());
                }
            } else if (type instanceof ParameterizedType p) {
                names(p.getRawType(), where, seen);
                for (Type argument : p.getActualTypeArguments()) {
                    names(argument, where, seen);
                }
            } else if (type instanceof WildcardType w) {
                for (Type bound : w.getUpperBounds()) {
                    names(bound, where, seen);
                }
                for (Type bound : w.getLowerBounds()) {
                    names(bound, where, seen);
                }
            } else if (type instanceof GenericArrayType a) {
                names(a.getGenericComponentType(), where, seen);
            } else if (type instanceof TypeVariable<?> v && seen.add(v)) {
                for (Type bound : v.getBounds()) {
                    names(bound, where, seen);
                }
            }
        }

        private static boolean visible(Class<?> owner, Member member) {
            return visible(owner, member.getModifiers());
        }

        /** Public, or protected in a type a program can extend (a final type's protected members are not). */
        private static boolean visible(Class<?> owner, int modifiers) {
            return Modifier.isPublic(modifiers)
                    || Modifier.isProtected(modifiers) && !Modifier.isFinal(owner.getModifiers());
        }
    }

    // ---- a type that names a type outside the API in every place a signature can, for the check's own test

    static class Hidden {
    }

    static final class HiddenFailure extends Exception {
    }

    public abstract static class Leaky<T extends Hidden> extends Hidden implements Supplier<Hidden> {
        public Hidden field;
        Hidden packagePrivateField;

        public Leaky(Hidden[] inputs) {
        }

        public Hidden[] array() {
            return null;
        }

        public List<? extends Hidden> wildcard() {
            return null;
        }

        public <U extends Comparable<U> & Supplier<Hidden>> void bounded() {
        }

        public void fails() throws HiddenFailure {
        }

        protected void protectedParameter(List<Hidden> inputs) {
        }

        private Hidden hidden() {
            return null;
        }

        public static final class Inner {
            public Hidden inner() {
                return null;
            }
        }
    }
}
