//! What `power` and `power merge` print: the files written, the shard, and the run in words.

use crate::analysis::power::PowerOutput;
use crate::simulate::power::plain_summary;

impl PowerOutput {
    /// The lines `power` prints: the output and CSV files written, the shard (if the run is
    /// one), then the run in plain words ([`plain_summary`]); each line ends with a newline.
    pub fn text(&self) -> String {
        let mut s = format!(
            "wrote {} and {}\n",
            self.out.display(),
            self.out.with_extension("csv").display()
        );
        if let Some([i, n]) = self.run.shard {
            s.push_str(&format!(
                "shard {i}/{n}: merge all shards with `trustscale power merge`\n"
            ));
        }
        for line in plain_summary(&self.run) {
            s.push_str(&line);
            s.push('\n');
        }
        s
    }
}
