global using Microsoft.Extensions.DependencyInjection;
global using ServeSharp.Storage.Tests.Fixtures;
