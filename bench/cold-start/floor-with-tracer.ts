/** The floor plus Powertools Tracer (X-Ray): what making every tool call a subsegment would add before any subsegment is made. */
import { Tracer } from "@aws-lambda-powertools/tracer";
import { handler as floor } from "./floor";

const tracer = new Tracer({ serviceName: "floor" });

export async function handler(): Promise<unknown> {
  const segment = tracer.getSegment();
  return { floor: await floor(), traced: segment !== undefined };
}
