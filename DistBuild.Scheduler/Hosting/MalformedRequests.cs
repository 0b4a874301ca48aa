using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

// Shared by the scheduler and the worker (the worker links this file): both serve gRPC to clients they do not trust.
namespace DistBuild.Hosting;

/// <summary>
/// Makes a request that is not a valid protobuf message INVALID_ARGUMENT saying so. grpc-dotnet parses the request
/// before any interceptor or service code runs, and reports a parse failure as UNKNOWN "Exception was thrown by
/// handler.", which tells a client nothing. This replaces grpc-dotnet's method discovery with one that binds the
/// same methods to the same service code, with a request parser that turns a parse failure into a status.
/// </summary>
public static class MalformedRequests
{
    /// <summary>Call after AddGrpc.</summary>
    public static IServiceCollection RefuseMalformedRequests(this IServiceCollection services)
    {
        services.RemoveAll(typeof(IServiceMethodProvider<>));
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(ParsingServiceMethodProvider<>)));
        return services;
    }

    /// <summary>The request marshaller of <paramref name="method"/>, with parse failures as INVALID_ARGUMENT.</summary>
    public static Method<TRequest, TResponse> Guard<TRequest, TResponse>(Method<TRequest, TResponse> method)
    {
        var inner = method.RequestMarshaller;
        var marshaller = Marshallers.Create<TRequest>(inner.ContextualSerializer, context =>
        {
            try
            {
                return inner.ContextualDeserializer(context);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"the {method.Name} request is malformed: it is not a valid {typeof(TRequest).Name} protobuf message ({e.Message})"));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
    }

    /// <summary>What grpc-dotnet keeps of a service type for binding it (its constructors and methods), also when trimmed.</summary>
    private const DynamicallyAccessedMemberTypes ServiceMembers =
        DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods;

    /// <summary>Binds a service's methods as grpc-dotnet's own provider does: through the generated BindService, to the overriding methods.</summary>
    private sealed class ParsingServiceMethodProvider<[DynamicallyAccessedMembers(ServiceMembers)] TService> : IServiceMethodProvider<TService> where TService : class
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
        {
            var bind = typeof(TService).GetCustomAttribute<BindServiceMethodAttribute>(inherit: true);
            if (bind is null)
                return;
            var bindService = bind.BindType.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.NonPublic)
                .Single(m => m.Name == bind.BindMethodName && m.GetParameters() is [{ } first, _] && first.ParameterType == typeof(ServiceBinderBase));
            bindService.Invoke(null, [new Binder(context), null]);
        }

        private sealed class Binder(ServiceMethodProviderContext<TService> context) : ServiceBinderBase
        {
            public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
                context.AddUnaryMethod(Guard(method), Metadata(method.Name), Invoker<Grpc.AspNetCore.Server.Model.UnaryServerMethod<TService, TRequest, TResponse>>(method.Name));

            public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
                context.AddServerStreamingMethod(Guard(method), Metadata(method.Name), Invoker<Grpc.AspNetCore.Server.Model.ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name));

            public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
                context.AddClientStreamingMethod(Guard(method), Metadata(method.Name), Invoker<Grpc.AspNetCore.Server.Model.ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name));

            public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
                context.AddDuplexStreamingMethod(Guard(method), Metadata(method.Name), Invoker<Grpc.AspNetCore.Server.Model.DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name));

            /// <summary>An open-instance delegate to the service's method: virtual, so the service's override runs.</summary>
            private static TDelegate Invoker<TDelegate>(string name) where TDelegate : Delegate =>
                Handler(name).CreateDelegate<TDelegate>();

            /// <summary>The attributes of the service and its method, which endpoint metadata (authorization, CORS) is built from.</summary>
            private static List<object> Metadata(string name) =>
                [.. typeof(TService).GetCustomAttributes(inherit: true), .. Handler(name).GetCustomAttributes(inherit: true)];

            private static MethodInfo Handler(string name) =>
                typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new InvalidOperationException($"{typeof(TService).Name} has no method {name}");
        }
    }
}
