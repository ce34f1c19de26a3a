namespace ExternalAction.Processor;

/// <summary>The Processor as its own process: consumes from RabbitMQ, serves only health endpoints.</summary>
internal static class Program
{
    // Not top-level statements: the Api references this project, and two global Program types would collide.
    private static void Main(string[] args) => ProcessorHost.Build(WebApplication.CreateBuilder(args)).Run();
}
