import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import ShareBusCore

/// Answers a request the HTTP/1.1 parser cannot read with problem+json, as every other error is,
/// instead of the framework's empty 400: `header-too-large` (431) when the request head is beyond
/// the parser's limit, otherwise `malformed-request` (400). The connection is closed after the
/// answer, since nothing after a broken head can be read reliably.
///
/// Sits in the channel pipeline after HTTP decoding (`HTTP1Channel.Configuration.
/// additionalChannelHandlers`), where the decoder's error passes on its way to the application;
/// no route, middleware or store sees such a request.
final class ParserErrorResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private var answered = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let problem =
            parserError == .headerOverflow
            ? ShareBusError(.headerTooLarge, "the request head (request line and header fields) is larger than the bus reads")
            : ShareBusError(.malformedRequest, "the request is not valid HTTP/1.1 (\(parserError))")
        let body = ProblemResponse.body(problem)
        var fields = HTTPFields()
        fields[.contentType] = ProblemResponse.mediaType
        fields[.contentLength] = String(body.readableBytes)
        fields[.cacheControl] = "no-store"
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .init(code: problem.code.status), headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.value.close(promise: nil) }
    }
}
