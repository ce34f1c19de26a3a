using System.Data;
using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.RegularExpressions;

namespace ExternalAction.Store;

/// <summary>
/// One of the statements the store runs for every request (the claim, the status update, the batched insert), with its
/// parameters bound once, when it is built: each <c>@Name</c> of the SQL is resolved to a getter of the call's arguments
/// and a database type, so a call only reads its values into a command. Dapper's per-call parameter machinery (a
/// <c>DynamicParameters</c> bag, a name lookup per parameter) and Npgsql's parse of the SQL text to rewrite named
/// parameters cost the Processor about 55 KB of allocations per request (docs/benchmarks.md, "allocations"); here
/// PostgreSQL gets positional placeholders (<c>$1</c>), which Npgsql sends as they are, and the other providers their
/// named ones. Values are bound as Dapper binds them (same database types, strings sized 4,000 or -1, times as unix
/// milliseconds), so every provider sees the parameters it saw before. Rows are still read by Dapper's row parser.
/// </summary>
internal sealed partial class BoundStatement<TArgs>
{
    private readonly Parameter[] _parameters;
    private readonly bool _positional;

    /// <param name="resolve">The getter and type of the parameter of that name (without <c>@</c>); throws for an unknown name.</param>
    public BoundStatement(SqlDialect dialect, string sql, Func<string, Parameter> resolve)
    {
        _positional = dialect.PositionalParameters;
        var names = new List<string>();
        Sql = Placeholder().Replace(sql, match =>
        {
            var name = match.Groups[1].Value;
            var index = names.IndexOf(name);
            if (index < 0)
            {
                names.Add(name);
                index = names.Count - 1;
            }
            return _positional ? $"${index + 1}" : match.Value;
        });
        _parameters = names.Select(name => resolve(name) with { Name = "@" + name }).ToArray();
    }

    /// <summary>The SQL as sent: with <c>$n</c> placeholders where the provider takes positional parameters.</summary>
    public string Sql { get; }

    /// <summary>The names bound, in placeholder order (for tests).</summary>
    public IEnumerable<string> Names => _parameters.Select(p => p.Name[1..]);

    /// <summary>A command of this statement on <paramref name="connection"/>, its parameters read from <paramref name="args"/>.</summary>
    public DbCommand Command(DbConnection connection, DbTransaction? tx, TArgs args)
    {
        var command = connection.CreateCommand();
        command.CommandText = Sql;
        command.Transaction = tx;
        foreach (var parameter in _parameters)
        {
            var p = command.CreateParameter();
            if (!_positional)
                p.ParameterName = parameter.Name;
            p.DbType = parameter.Type;
            var value = parameter.Value(args);
            p.Value = value ?? DBNull.Value;
            if (value is string text)
                p.Size = text.Length <= MaxSizedString ? MaxSizedString : -1;
            command.Parameters.Add(p);
        }
        return command;
    }

    /// <summary>Dapper's rule: strings up to 4,000 characters are sized 4,000 (one plan per statement in SQL Server), longer ones -1.</summary>
    private const int MaxSizedString = 4000;

    /// <summary><c>@Name</c>, not <c>@@ROWCOUNT</c>.</summary>
    [GeneratedRegex(@"(?<![@\w])@([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Placeholder();

    /// <summary>How one parameter is read from the arguments: its getter (null for SQL NULL) and database type.</summary>
    public sealed record Parameter(Func<TArgs, object?> Value, DbType Type)
    {
        internal string Name { get; init; } = "";

        /// <summary>A parameter read by <paramref name="get"/>, typed as Dapper types a value of <typeparamref name="T"/>.</summary>
        public static Parameter Of<T>(Func<TArgs, T> get) => Typed(typeof(T), args => get(args));

        /// <summary>The property <paramref name="name"/> of <typeparamref name="TSource"/> (reached from the arguments through <paramref name="source"/>), or null when it has none.</summary>
        public static Parameter? Property<TSource>(string name, Func<TArgs, TSource> source)
        {
            var property = typeof(TSource).GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
            if (property is null)
                return null;
            var instance = Expression.Parameter(typeof(TSource));
            var get = Expression.Lambda<Func<TSource, object?>>(Expression.Convert(Expression.Property(instance, property), typeof(object)), instance).Compile();
            return Typed(property.PropertyType, args => get(source(args)));
        }

        /// <summary>A parameter read by <paramref name="get"/>, typed as Dapper types a value of <paramref name="type"/>.</summary>
        public static Parameter Typed(Type type, Func<TArgs, object?> get)
        {
            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            if (underlying == typeof(DateTimeOffset))
                // Unix milliseconds, as UnixMilliseconds (the store's Dapper handler) writes them.
                return new Parameter(args => get(args) is DateTimeOffset time ? time.ToUnixTimeMilliseconds() : null, DbType.Int64);
            var dbType = System.Type.GetTypeCode(underlying) switch
            {
                TypeCode.String => DbType.String,
                TypeCode.Int32 => DbType.Int32,
                TypeCode.Int64 => DbType.Int64,
                TypeCode.Boolean => DbType.Boolean,
                _ => throw new NotSupportedException($"No database type for a parameter of type {type}."),
            };
            return new Parameter(get, dbType);
        }
    }
}
